# expect: PS316@18
import random
import time

from fastapi import FastAPI, Form, HTTPException, Request, Response

from app.auth import verify_password

app = FastAPI()


class SessionStore:
    _sessions = {}
    _rng = random.Random(time.time())

    @classmethod
    def new_session_id(cls) -> str:
        return "%032x" % cls._rng.getrandbits(128)

    @classmethod
    def create(cls, user_id: int) -> str:
        sid = cls.new_session_id()
        cls._sessions[sid] = {"user_id": user_id, "created": time.time()}
        return sid

    @classmethod
    def get(cls, sid: str):
        return cls._sessions.get(sid)


@app.post("/login")
async def login(response: Response, username: str = Form(...), password: str = Form(...)):
    user_id = verify_password(username, password)
    if user_id is None:
        raise HTTPException(status_code=401, detail="invalid credentials")
    sid = SessionStore.create(user_id)
    response.set_cookie("sid", sid, secure=True, httponly=True, samesite="lax")
    return {"ok": True}


@app.get("/me")
async def me(request: Request):
    data = SessionStore.get(request.cookies.get("sid", ""))
    if data is None:
        raise HTTPException(status_code=401)
    return {"user_id": data["user_id"]}
