# expect: none
import secrets

from fastapi import FastAPI, Form, HTTPException, Request, Response

from app.auth import lookup_user, revoke_session, store_session

app = FastAPI()

SESSION_COOKIE = "sid"
SESSION_COOKIE_OPTIONS = dict(
    max_age=60 * 60 * 4,
    path="/",
    secure=True,
    httponly=True,
    samesite="strict",
)


def set_session_cookie(response: Response, value: str, **extra) -> None:
    response.set_cookie(SESSION_COOKIE, value, **{**SESSION_COOKIE_OPTIONS, **extra})


@app.post("/auth/login")
async def login(response: Response, username: str = Form(...), password: str = Form(...)):
    user = await lookup_user(username, password)
    if user is None:
        raise HTTPException(status_code=401, detail="invalid credentials")
    sid = secrets.token_urlsafe(32)
    await store_session(sid, user.id)
    set_session_cookie(response, sid)
    return {"user": user.username}


@app.post("/auth/logout")
async def logout(request: Request, response: Response):
    sid = request.cookies.get(SESSION_COOKIE)
    if sid:
        await revoke_session(sid)
    response.delete_cookie(SESSION_COOKIE, path="/", secure=True, httponly=True, samesite="strict")
    return {"ok": True}
