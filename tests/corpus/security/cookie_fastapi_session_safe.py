# expect: none
import secrets

from fastapi import FastAPI, Form, HTTPException, Response

from .auth import authenticate

app = FastAPI()
SESSION_STORE = {}


@app.post("/session")
def create_session(response: Response, username: str = Form(...), password: str = Form(...)):
    user_id = authenticate(username, password)
    if user_id is None:
        raise HTTPException(status_code=401, detail="invalid credentials")
    sid = secrets.token_urlsafe(32)
    SESSION_STORE[sid] = user_id
    response.set_cookie(
        key="session_id",
        value=sid,
        max_age=4 * 3600,
        secure=True,
        httponly=True,
        samesite="lax",
    )
    return {"ok": True}
