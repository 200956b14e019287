# expect: none
import random
import secrets
import string
import time

import redis

ALPHABET = string.ascii_letters + string.digits
client = redis.Redis(host="cache", port=6379)


def with_retry(fn, attempts=3):
    for attempt in range(attempts):
        try:
            return fn()
        except redis.ConnectionError:
            time.sleep((2 ** attempt) * 0.1 + random.uniform(0, 0.05))
    raise RuntimeError("session store unavailable")


class SessionStore:
    ttl = 3600

    def create(self, user_id):
        sid = secrets.token_hex(32)
        with_retry(lambda: client.setex(f"sess:{sid}", self.ttl, user_id))
        return sid

    def temporary_password(self, length=14):
        return "".join(secrets.choice(ALPHABET) for _ in range(length))
