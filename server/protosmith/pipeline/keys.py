"""Task identity: a task's id, and the input key a resumed run matches saved results by."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def task_id(kind: str, component: str) -> str:
    return f"{kind}:{component}"


def input_key(*parts: Any) -> str:
    """A stable hash of JSON-able parts."""
    encoded = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()[:32]
