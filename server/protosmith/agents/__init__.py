"""The agents: architecture, implementation, testing, documentation, review. They never import the server."""
