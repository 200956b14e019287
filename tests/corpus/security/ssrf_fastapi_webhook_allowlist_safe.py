# expect: none
from urllib.parse import urlsplit, urlunsplit

import requests
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

app = FastAPI()
ALLOWED_HOSTS = {"hooks.slack.com", "outlook.office.com", "events.pagerduty.com"}


class WebhookTest(BaseModel):
    url: str


@app.post("/integrations/webhook/test")
def test_webhook(body: WebhookTest):
    parts = urlsplit(body.url)
    if parts.scheme != "https" or parts.hostname not in ALLOWED_HOSTS:
        raise HTTPException(status_code=400, detail="webhook host not allowed")
    if parts.username or parts.password or parts.port not in (None, 443):
        raise HTTPException(status_code=400, detail="unexpected URL components")
    # rebuild the URL from the validated pieces so no parser differential remains
    safe_url = urlunsplit(("https", parts.hostname, parts.path or "/", parts.query, ""))
    resp = requests.post(safe_url, json={"text": "test"}, timeout=5, allow_redirects=False)
    return {"delivered": resp.ok, "status": resp.status_code}
