"""Use cases that combine the engines (analysis, agents, llm, execution) for both surfaces.

The CLI commands and the language server's handlers call these; the engines never import them.
Nothing is imported here, so ``python -m protosmith.services.isolated`` starts light.
"""
