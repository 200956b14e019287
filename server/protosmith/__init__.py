"""protosmith: spec-to-prototype language server and CLI driven by a team of LLM agents."""

__version__ = "0.1.0"
