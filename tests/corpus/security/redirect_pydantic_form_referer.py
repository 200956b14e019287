# expect: PS306@32
from typing import Optional

from fastapi import FastAPI, Form, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel

app = FastAPI()
SUPPORTED = {"en", "de", "fr", "es"}


class LanguageChoice(BaseModel):
    language: str
    return_to: Optional[str] = None

    def normalized_language(self) -> str:
        return self.language if self.language in SUPPORTED else "en"


def _fallback(request: Request) -> str:
    return request.headers.get("referer") or "/"


@app.post("/preferences/language")
async def set_language(
    request: Request,
    language: str = Form(...),
    return_to: Optional[str] = Form(None),
):
    choice = LanguageChoice(language=language, return_to=return_to)
    target = choice.return_to or _fallback(request)
    response = RedirectResponse(url=target, status_code=303)
    response.set_cookie("lang", choice.normalized_language(), max_age=31536000, secure=True, httponly=True, samesite="lax")
    return response
