# expect: none
"""Build step: writes the version module from the package metadata (no request data; a code
generator writing its own module is not code injection)."""
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def main():
    meta = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    version = str(meta["version"])
    with open(ROOT / "src" / "_version.py", "w", encoding="utf-8") as fh:
        fh.write(f"__version__ = {version!r}\n")
    (ROOT / "src" / "_build.py").write_text(f"BUILD = {meta.get('build', 0)!r}\n")


if __name__ == "__main__":
    main()
