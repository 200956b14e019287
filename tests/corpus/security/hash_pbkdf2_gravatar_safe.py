# expect: none
import hashlib
import hmac
import os

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

app = FastAPI()
ITERATIONS = 600_000
USERS = {}


class Signup(BaseModel):
    email: str
    password: str


def hash_password(password: str, salt: bytes = None) -> str:
    salt = salt or os.urandom(16)
    derived = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, ITERATIONS)
    return f"pbkdf2_sha256${ITERATIONS}${salt.hex()}${derived.hex()}"


def verify_password(password: str, encoded: str) -> bool:
    _, iterations, salt_hex, digest_hex = encoded.split("$")
    derived = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), bytes.fromhex(salt_hex), int(iterations))
    return hmac.compare_digest(derived.hex(), digest_hex)


def gravatar_url(email: str) -> str:
    digest = hashlib.md5(email.strip().lower().encode("utf-8")).hexdigest()
    return f"https://www.gravatar.com/avatar/{digest}?d=identicon"


@app.post("/signup", status_code=201)
async def signup(data: Signup):
    if data.email in USERS:
        raise HTTPException(status_code=409, detail="exists")
    USERS[data.email] = hash_password(data.password)
    return {"email": data.email, "avatar": gravatar_url(data.email)}


@app.post("/login")
async def login(data: Signup):
    encoded = USERS.get(data.email)
    if encoded is None or not verify_password(data.password, encoded):
        raise HTTPException(status_code=401, detail="invalid credentials")
    return {"ok": True}
