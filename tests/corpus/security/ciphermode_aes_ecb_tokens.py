# expect: PS322@18, PS322@25
"""Share links: the record id is encrypted so links cannot be guessed, but in ECB mode.

Two links for the same id prefix share ciphertext blocks, which leaks structure.
"""
import os

from Crypto.Cipher import AES
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

LINK_KEY = os.environ["LINK_KEY"].encode()


def share_token(record_id: str) -> bytes:
    padded = record_id.encode().ljust(32, b"\0")
    cipher = AES.new(
        LINK_KEY,
        AES.MODE_ECB,
    )
    return cipher.encrypt(padded)


def legacy_token(record_id: str) -> bytes:
    padded = record_id.encode().ljust(32, b"\0")
    encryptor = Cipher(algorithms.AES(LINK_KEY), modes.ECB()).encryptor()
    return encryptor.update(padded) + encryptor.finalize()
