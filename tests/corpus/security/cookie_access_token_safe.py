# expect: none
import secrets
from fastapi import FastAPI, Form, HTTPException, Response

from auth.service import verify_credentials, store_token

app = FastAPI()
TOKEN_MINUTES = 30


@app.post("/auth/token")
def login(response: Response, username: str = Form(...), password: str = Form(...)):
    user = verify_credentials(username, password)
    if user is None:
        raise HTTPException(status_code=401, detail="invalid credentials")
    token = secrets.token_urlsafe(32)
    store_token(user.id, token, minutes=TOKEN_MINUTES)
    response.set_cookie(
        key="access_token",
        value=token,
        max_age=TOKEN_MINUTES * 60,
        httponly=True,
        secure=True,
        samesite="strict",
    )
    return {"user": user.id, "expires_in": TOKEN_MINUTES * 60}


@app.post("/auth/logout")
def logout(response: Response):
    response.delete_cookie("access_token", httponly=True, secure=True, samesite="strict")
    return {"ok": True}
