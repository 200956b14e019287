# expect: PS302@8
import os
import sys


def main():
    target = sys.argv[1]
    os.popen("tar czf backup.tgz " + target)


if __name__ == "__main__":
    main()
