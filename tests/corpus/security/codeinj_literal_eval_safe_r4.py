# expect: none
import ast
from typing import Any, Dict

from fastapi import Body, FastAPI, HTTPException

app = FastAPI()


def parse_setting(raw: str) -> Any:
    try:
        return ast.literal_eval(raw)
    except (ValueError, SyntaxError):
        return raw


@app.put("/admin/settings")
def update_settings(payload: Dict[str, str] = Body(...)):
    parsed = {}
    for key, raw in payload.items():
        if not key.isidentifier():
            raise HTTPException(status_code=400, detail="bad setting name")
        parsed[key] = parse_setting(raw)
    return {"updated": parsed}
