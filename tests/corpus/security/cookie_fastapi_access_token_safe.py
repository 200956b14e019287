# expect: none
from datetime import timedelta

from fastapi import Depends, FastAPI, HTTPException, Response
from fastapi.security import OAuth2PasswordRequestForm

from app.security import authenticate_user, create_access_token

app = FastAPI()
ACCESS_TTL = timedelta(minutes=30)


@app.post("/auth/token")
def login_for_cookie(response: Response, form: OAuth2PasswordRequestForm = Depends()):
    user = authenticate_user(form.username, form.password)
    if not user:
        raise HTTPException(status_code=401, detail="Incorrect username or password")

    token = create_access_token(subject=user.id, expires_delta=ACCESS_TTL)
    response.set_cookie(
        key="access_token",
        value=token,
        max_age=int(ACCESS_TTL.total_seconds()),
        httponly=True,
        secure=True,
        samesite="strict",
        path="/",
    )
    return {"detail": "logged in"}
