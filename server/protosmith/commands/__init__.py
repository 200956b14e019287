"""One module per CLI command; each exposes ``run(args: argparse.Namespace) -> int``.

They are imported lazily by :mod:`protosmith.cli` so ``--help``, ``check`` and ``schema``
start fast and never load llama_cpp, openai or tiktoken.
"""
