# expect: none
import ast
import json

from fastapi import FastAPI, HTTPException, Request

app = FastAPI()
SETTINGS = {"page_size": 20, "features": ["search"], "thresholds": (0.5, 0.9)}


def parse_value(raw: str):
    try:
        return json.loads(raw)
    except ValueError:
        pass
    try:
        return ast.literal_eval(raw)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        raise HTTPException(status_code=422, detail="value must be a literal")


@app.put("/settings/{key}")
async def update_setting(key: str, request: Request):
    if key not in SETTINGS:
        raise HTTPException(status_code=404, detail="unknown setting")
    raw = (await request.body()).decode("utf-8", errors="replace")
    if len(raw) > 4096:
        raise HTTPException(status_code=413, detail="value too large")
    value = parse_value(raw)
    if isinstance(SETTINGS[key], tuple) and isinstance(value, list):
        value = tuple(value)
    if not isinstance(value, type(SETTINGS[key])):
        raise HTTPException(status_code=422, detail="wrong type")
    SETTINGS[key] = value
    return {"key": key, "value": value}
