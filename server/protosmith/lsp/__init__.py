"""The pygls 2 language server: handlers translate between LSP and the services."""
