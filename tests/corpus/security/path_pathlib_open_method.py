# expect: PS305@18
"""Export download built on pathlib: the requested name is joined under the export folder
with the / operator and opened through Path.open()."""
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import Response

app = FastAPI()
EXPORTS = Path("/var/lib/exports")


@app.get("/exports/{tenant}")
def download(tenant: str, name: str):
    folder = EXPORTS / tenant
    if not folder.is_dir():
        return Response(status_code=404)
    with (folder / name).open("rb") as fh:
        return Response(fh.read(), media_type="application/octet-stream")
