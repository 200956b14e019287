# expect: none
import hashlib
import json

import bcrypt
from fastapi import FastAPI, HTTPException, Response
from pydantic import BaseModel

app = FastAPI()
USERS = {}


class Signup(BaseModel):
    username: str
    password: str


def hash_password(password: str) -> bytes:
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds=12))


@app.post("/signup", status_code=201)
async def signup(body: Signup):
    if body.username in USERS:
        raise HTTPException(status_code=409, detail="username taken")
    if not 10 <= len(body.password) <= 72:
        raise HTTPException(status_code=400, detail="password must be 10-72 characters")
    USERS[body.username] = hash_password(body.password)
    return {"username": body.username}


@app.get("/users")
async def list_users(response: Response):
    names = sorted(USERS)
    # ETag over the public list of user names, used only for HTTP caching
    response.headers["ETag"] = hashlib.sha1(json.dumps(names).encode()).hexdigest()
    return {"users": names}
