# expect: PS315@18
"""Admin CLI: add a user to the local credentials file used by the VPN gateway."""
import getpass
import hashlib
import os
import sys

CRED_FILE = "/etc/vpn-gw/users.txt"


def main():
    username = input("username: ").strip()
    password = getpass.getpass("password: ")
    if not username or ":" in username:
        print("invalid username", file=sys.stderr)
        return 1
    salt = os.urandom(8).hex()
    digest = hashlib.sha1((salt + password).encode("utf-8")).hexdigest()
    with open(CRED_FILE, "a", encoding="utf-8") as fh:
        fh.write(f"{username}:{salt}:{digest}\n")
    print("added", username)
    return 0


if __name__ == "__main__":
    sys.exit(main())
