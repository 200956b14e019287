# expect: none
import json

import yaml
from fastapi import FastAPI, HTTPException, Request

app = FastAPI()


@app.post("/configs/validate")
async def validate_config(request: Request):
    body = await request.body()
    ctype = request.headers.get("content-type", "")
    try:
        if "yaml" in ctype:
            doc = yaml.safe_load(body)
        else:
            doc = json.loads(body)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise HTTPException(status_code=400, detail=str(exc))
    if not isinstance(doc, dict):
        raise HTTPException(status_code=422, detail="top-level mapping required")
    missing = [k for k in ("service", "replicas") if k not in doc]
    return {"valid": not missing, "missing": missing}
