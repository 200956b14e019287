# expect: none
"""Operator utility: print the last N lines of a log file.

Run by administrators in a shell on the host itself:
    python tail_log.py /var/log/app/worker.log 50
"""
import sys
from collections import deque


def tail(path, count):
    with open(path, encoding="utf-8", errors="replace") as fh:
        return list(deque(fh, maxlen=count))


def main():
    if len(sys.argv) < 2:
        print("usage: tail_log.py <logfile> [lines]", file=sys.stderr)
        return 2
    path = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    for line in tail(path, count):
        sys.stdout.write(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
