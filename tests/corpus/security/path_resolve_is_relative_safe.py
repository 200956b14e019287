# expect: none
from pathlib import Path

from fastapi import FastAPI, HTTPException

app = FastAPI()
ROOT = Path("/srv/docs").resolve()


@app.get("/doc")
def doc(name: str):
    target = (ROOT / name).resolve()
    if not target.is_relative_to(ROOT):
        raise HTTPException(status_code=400)
    return {"text": target.read_text()}
