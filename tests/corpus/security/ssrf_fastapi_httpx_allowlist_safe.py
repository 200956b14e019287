# expect: none
import httpx
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

app = FastAPI()
ALLOWED_HOSTS = {"images.example-cdn.com", "avatars.example-cdn.com"}


class AvatarImport(BaseModel):
    source_url: str


@app.post("/profile/avatar/import")
def import_avatar(body: AvatarImport):
    try:
        url = httpx.URL(body.source_url)
    except httpx.InvalidURL:
        raise HTTPException(status_code=400, detail="invalid URL")
    if url.scheme != "https" or url.host not in ALLOWED_HOSTS or url.port not in (None, 443):
        raise HTTPException(status_code=400, detail="host not allowed")

    with httpx.Client(follow_redirects=False, timeout=5.0) as client:
        resp = client.get(url)
    if resp.status_code != 200 or not resp.headers.get("content-type", "").startswith("image/"):
        raise HTTPException(status_code=502, detail="could not fetch image")
    return {"bytes": len(resp.content)}
