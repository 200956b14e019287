# expect: none
from pathlib import Path

from fastapi import FastAPI, HTTPException
from fastapi.responses import FileResponse

app = FastAPI()
EXPORT_ROOT = Path("/srv/exports").resolve()


@app.get("/exports/{filename}")
def download_export(filename: str):
    candidate = (EXPORT_ROOT / filename).resolve()
    if not candidate.is_relative_to(EXPORT_ROOT):
        raise HTTPException(status_code=400, detail="invalid file name")
    if not candidate.is_file():
        raise HTTPException(status_code=404, detail="not found")
    return FileResponse(candidate, filename=candidate.name)
