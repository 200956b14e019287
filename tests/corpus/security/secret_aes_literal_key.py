# expect: PS317@15
"""Encrypted export tokens: the AES key is a byte literal in the source.

Anyone with the code (or the wheel) can decrypt every token; the key must come from the
environment or a secret store whatever its bytes look like.
"""
import base64

from Crypto.Cipher import AES
from Crypto.Random import get_random_bytes


def seal(payload: bytes) -> str:
    nonce = get_random_bytes(12)
    cipher = AES.new(b"0123456789abcdef", AES.MODE_GCM, nonce=nonce)
    sealed, tag = cipher.encrypt_and_digest(payload)
    return base64.urlsafe_b64encode(nonce + tag + sealed).decode()
