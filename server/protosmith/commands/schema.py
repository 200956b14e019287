"""``protosmith schema``: the spec's JSON Schema, generated from the pydantic model.

TOML editors (Taplo, Even Better TOML) validate ``protosmith.toml`` with it, so it must always
match what ``check`` accepts; that is why it is generated, never written by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from protosmith.spec.model import json_schema


def run(args: argparse.Namespace) -> int:
    """Print the schema on stdout (a closed pipe, as with ``| head``, is not an error)."""
    try:
        print(json.dumps(json_schema(), indent=2, ensure_ascii=False))
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0
