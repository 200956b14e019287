# expect: none
import hashlib

import bcrypt
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

from accounts.repo import get_user, update_password
from app.cache import cache

app = FastAPI()


def profile_cache_key(user_id: int) -> str:
    return "profile:" + hashlib.sha1(f"user:{user_id}".encode()).hexdigest()


class PasswordChange(BaseModel):
    user_id: int
    old_password: str
    new_password: str


@app.post("/account/password")
def change_password(body: PasswordChange):
    user = get_user(body.user_id)
    if user is None or not bcrypt.checkpw(body.old_password.encode(), user.password_hash.encode()):
        raise HTTPException(status_code=403, detail="wrong password")
    if len(body.new_password) < 10:
        raise HTTPException(status_code=422, detail="password too short")
    new_hash = bcrypt.hashpw(body.new_password.encode(), bcrypt.gensalt(rounds=12))
    update_password(user.id, new_hash.decode())
    cache.delete(profile_cache_key(user.id))
    return {"ok": True}
