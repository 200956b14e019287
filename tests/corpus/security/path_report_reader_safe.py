# expect: none
import os
from fastapi import FastAPI, HTTPException
from fastapi.responses import FileResponse

app = FastAPI()
REPORT_ROOT = os.path.realpath("/srv/reports")


def resolve_report(year: int, name: str) -> str:
    safe_name = os.path.basename(name)
    candidate = os.path.realpath(os.path.join(REPORT_ROOT, str(year), safe_name))
    if os.path.commonpath([candidate, REPORT_ROOT]) != REPORT_ROOT:
        raise HTTPException(status_code=403, detail="forbidden")
    if not os.path.isfile(candidate):
        raise HTTPException(status_code=404, detail="report not found")
    return candidate


@app.get("/reports/{year}/{name}")
def download_report(year: int, name: str):
    path = resolve_report(year, name)
    return FileResponse(path, media_type="text/csv", filename=os.path.basename(path))


@app.get("/reports/{year}/{name}/preview")
def preview_report(year: int, name: str, lines: int = 10):
    path = resolve_report(year, name)
    count = max(1, min(lines, 50))
    with open(path, encoding="utf-8") as fh:
        head = fh.read(64 * 1024).splitlines()[:count]
    return {"report": os.path.basename(path), "lines": head}
