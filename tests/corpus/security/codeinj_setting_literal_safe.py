# expect: none
import ast
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

app = FastAPI()

SETTINGS = {"page_size": 25, "features": ["search"], "thresholds": (0.1, 0.9)}


class SettingUpdate(BaseModel):
    key: str
    value: str


def parse_value(raw):
    try:
        return ast.literal_eval(raw)
    except (ValueError, SyntaxError):
        return raw


@app.post("/settings")
def update_setting(update: SettingUpdate):
    if update.key not in SETTINGS:
        raise HTTPException(status_code=404, detail="unknown setting")
    value = parse_value(update.value)
    expected = type(SETTINGS[update.key])
    if not isinstance(value, expected):
        raise HTTPException(status_code=422, detail=f"expected {expected.__name__}")
    SETTINGS[update.key] = value
    return {"key": update.key, "value": value}
