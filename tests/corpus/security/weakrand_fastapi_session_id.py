# expect: PS316@15
import random
import string

from fastapi import FastAPI, Form, HTTPException, Response

from .auth import authenticate

app = FastAPI()
SESSIONS = {}
ALPHABET = string.ascii_letters + string.digits


def new_session_id(length=32):
    return "".join(random.choices(ALPHABET, k=length))


@app.post("/login")
def login(response: Response, username: str = Form(...), password: str = Form(...)):
    user = authenticate(username, password)
    if user is None:
        raise HTTPException(status_code=401, detail="invalid credentials")
    sid = new_session_id()
    SESSIONS[sid] = user.id
    response.set_cookie("sid", sid, secure=True, httponly=True, samesite="lax")
    return {"ok": True}
