# expect: none
import os
import sys
from pathlib import Path


def main():
    # A command-line tool reads the file its user names, under a folder its user configures.
    source = Path(sys.argv[1]).read_text()
    cache = Path(os.environ.get("XDG_CACHE_HOME", "~/.cache")).expanduser() / "tool"
    cache.mkdir(parents=True, exist_ok=True)
    with open(os.path.join(cache, "last.txt"), "w") as handle:
        handle.write(source)


if __name__ == "__main__":
    main()
