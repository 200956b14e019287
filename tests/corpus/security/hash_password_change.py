# expect: PS315@17
import hashlib
import hmac
import os

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

from accounts.repo import get_user, update_password

app = FastAPI()


class PasswordService:
    def make_hash(self, password: str, salt: bytes = None) -> str:
        salt = salt or os.urandom(8)
        digest = hashlib.sha1(salt + password.encode()).hexdigest()
        return salt.hex() + ":" + digest

    def verify(self, password: str, stored: str) -> bool:
        salt_hex, _ = stored.split(":", 1)
        return hmac.compare_digest(self.make_hash(password, bytes.fromhex(salt_hex)), stored)


class PasswordChange(BaseModel):
    user_id: int
    old_password: str
    new_password: str


@app.post("/account/password")
def change_password(body: PasswordChange):
    service = PasswordService()
    user = get_user(body.user_id)
    if user is None or not service.verify(body.old_password, user.password_hash):
        raise HTTPException(status_code=403, detail="wrong password")
    update_password(user.id, service.make_hash(body.new_password))
    return {"ok": True}
