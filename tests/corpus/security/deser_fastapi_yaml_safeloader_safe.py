# expect: none
import yaml
from fastapi import FastAPI, File, HTTPException, UploadFile

app = FastAPI()

ALLOWED_KEYS = {"name", "schedule", "targets"}


@app.post("/pipelines/import")
async def import_pipeline(upload: UploadFile = File(...)):
    content = await upload.read()
    if len(content) > 64 * 1024:
        raise HTTPException(status_code=413, detail="file too large")
    try:
        config = yaml.load(content, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        raise HTTPException(status_code=400, detail="invalid YAML")
    if not isinstance(config, dict) or not set(config) <= ALLOWED_KEYS:
        raise HTTPException(status_code=400, detail="unexpected keys")
    return {"imported": config.get("name"), "targets": len(config.get("targets") or [])}
