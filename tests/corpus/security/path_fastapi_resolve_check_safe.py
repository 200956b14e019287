# expect: none
from pathlib import Path

from fastapi import FastAPI, HTTPException
from fastapi.responses import PlainTextResponse

app = FastAPI()
LOG_ROOT = Path("/var/log/myapp").resolve()


@app.get("/logs/{log_name:path}", response_class=PlainTextResponse)
def read_log(log_name: str, tail: int = 200):
    candidate = (LOG_ROOT / log_name).resolve()
    if not candidate.is_relative_to(LOG_ROOT):
        raise HTTPException(status_code=403, detail="forbidden")
    if not candidate.is_file():
        raise HTTPException(status_code=404, detail="not found")

    with candidate.open("r", encoding="utf-8", errors="replace") as fh:
        lines = fh.readlines()
    return "".join(lines[-max(1, min(tail, 5000)):])
