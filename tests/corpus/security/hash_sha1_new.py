# expect: PS315@6
import hashlib


def sign(secret, payload):
    h = hashlib.new("sha1")
    h.update(secret + payload)
    return h.hexdigest()
