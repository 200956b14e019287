# expect: none
"""Share links encrypted with an authenticated mode (GCM) and a fresh nonce each time."""
import os

from Crypto.Cipher import AES
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

LINK_KEY = os.environ["LINK_KEY"].encode()


def share_token(record_id: str) -> bytes:
    cipher = AES.new(LINK_KEY, AES.MODE_GCM)
    ciphertext, tag = cipher.encrypt_and_digest(record_id.encode())
    return cipher.nonce + tag + ciphertext


def aead_token(record_id: str) -> bytes:
    nonce = os.urandom(12)
    return nonce + AESGCM(LINK_KEY).encrypt(nonce, record_id.encode(), None)
