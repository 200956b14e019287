# expect: PS311@23
import time

import httpx
from fastapi import Depends, FastAPI
from pydantic import BaseModel

app = FastAPI()


class WebhookTest(BaseModel):
    url: str
    event: str = "ping"


async def get_client():
    async with httpx.AsyncClient(timeout=5.0, follow_redirects=False) as client:
        yield client


async def deliver(client, url, event):
    payload = {"event": event, "sent_at": int(time.time()), "test": True}
    resp = await client.post(url, json=payload)
    return resp.status_code, resp.text[:500]


@app.post("/integrations/webhooks/test")
async def test_webhook(body: WebhookTest, client: httpx.AsyncClient = Depends(get_client)):
    try:
        status, snippet = await deliver(client, body.url, body.event)
    except httpx.HTTPError as exc:
        return {"ok": False, "error": str(exc)}
    return {"ok": 200 <= status < 300, "status": status, "response": snippet}
