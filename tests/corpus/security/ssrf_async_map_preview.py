# expect: PS311@20
import asyncio
import re
from typing import List

import httpx
from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()
TITLE_RE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)


class PreviewRequest(BaseModel):
    urls: List[str]


async def fetch_title(client, url):
    try:
        resp = await client.get(url, follow_redirects=True)
    except httpx.HTTPError as exc:
        return {"url": url, "error": type(exc).__name__}
    match = TITLE_RE.search(resp.text)
    return {
        "url": url,
        "status": resp.status_code,
        "title": match.group(1).strip() if match else None,
    }


@app.post("/links/preview")
async def preview(req: PreviewRequest):
    async with httpx.AsyncClient(timeout=5.0) as client:
        results = await asyncio.gather(*map(lambda u: fetch_title(client, u), req.urls[:10]))
    return {"previews": results}
