# expect: none
from urllib.parse import urlsplit, urlunsplit

import httpx
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

app = FastAPI()
ALLOWED_HOSTS = {"hooks.slack.com", "discord.com", "outlook.office.com"}


class HookTest(BaseModel):
    url: str
    message: str = "Test notification"


def validated_hook_url(raw: str) -> str:
    parts = urlsplit(raw)
    if parts.scheme != "https" or parts.hostname not in ALLOWED_HOSTS:
        raise ValueError("host not allowed")
    if parts.port not in (None, 443) or parts.username or parts.password:
        raise ValueError("unexpected url components")
    return urlunsplit(("https", parts.hostname, parts.path, parts.query, ""))


@app.post("/notifications/test-hook")
async def test_hook(body: HookTest):
    try:
        url = validated_hook_url(body.url)
    except ValueError as exc:
        raise HTTPException(status_code=400, detail=str(exc))
    async with httpx.AsyncClient(timeout=5, follow_redirects=False) as client:
        resp = await client.post(url, json={"text": body.message})
    return {"delivered": resp.is_success, "status": resp.status_code}
