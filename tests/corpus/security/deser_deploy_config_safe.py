# expect: none
import yaml
from fastapi import FastAPI, File, UploadFile, HTTPException

app = FastAPI()


def service_names(doc):
    if not isinstance(doc, dict):
        raise ValueError("top level must be a mapping")
    services = doc.get("services", [])
    if not isinstance(services, list):
        raise ValueError("services must be a list")
    return [s.get("name") for s in services if isinstance(s, dict)]


@app.post("/deploy/validate")
async def validate_deploy_file(file: UploadFile = File(...)):
    content = await file.read()
    if len(content) > 256 * 1024:
        raise HTTPException(status_code=413, detail="file too large")
    try:
        doc = yaml.load(content, Loader=yaml.SafeLoader)
        names = service_names(doc)
    except (yaml.YAMLError, ValueError) as exc:
        raise HTTPException(status_code=422, detail=str(exc))
    return {"filename": file.filename, "services": names}
