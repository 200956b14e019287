"""Allow ``python -m protosmith``."""

import sys

from protosmith.cli import main

if __name__ == "__main__":
    sys.exit(main())
