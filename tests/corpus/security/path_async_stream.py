# expect: PS305@18
import os

from fastapi import FastAPI, HTTPException
from fastapi.responses import StreamingResponse

app = FastAPI()
MEDIA_ROOT = "/srv/media"
BUCKETS = {"images", "video", "docs"}
CHUNK_SIZE = 64 * 1024


def media_path(*parts):
    return os.path.join(MEDIA_ROOT, *parts)


async def iter_file(path):
    with open(path, "rb") as fh:
        while True:
            chunk = fh.read(CHUNK_SIZE)
            if not chunk:
                break
            yield chunk


@app.get("/media/{bucket}/{file_path:path}")
async def download(bucket: str, file_path: str):
    if bucket not in BUCKETS:
        raise HTTPException(status_code=404)
    full = media_path(bucket, file_path)
    if not os.path.isfile(full):
        raise HTTPException(status_code=404)
    return StreamingResponse(iter_file(full), media_type="application/octet-stream")
