# expect: PS302@17
import os
import tempfile

from fastapi import FastAPI, File, HTTPException, UploadFile

app = FastAPI()
WORK_DIR = tempfile.gettempdir()


def _output_name(display_name: str) -> str:
    stem, _ = os.path.splitext(display_name)
    return stem + ".pdf"


def _shell(cmd: str) -> int:
    return os.system(cmd)


def _convert(src_path: str, display_name: str) -> str:
    out_path = os.path.join(WORK_DIR, _output_name(display_name))
    cmd = f'unoconv -f pdf -o "{out_path}" "{src_path}"'
    if _shell(cmd) != 0:
        raise HTTPException(status_code=500, detail="conversion failed")
    return out_path


@app.post("/documents/convert")
async def convert(document: UploadFile = File(...)):
    data = await document.read()
    with tempfile.NamedTemporaryFile(dir=WORK_DIR, suffix=".docx", delete=False) as tmp:
        tmp.write(data)
    try:
        out_path = _convert(tmp.name, document.filename or "document.docx")
    finally:
        os.unlink(tmp.name)
    return {"pdf": os.path.basename(out_path)}
