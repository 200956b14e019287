"""Prototype specification: the pydantic model, the TOML loader with positions, and PS1xx rules."""
