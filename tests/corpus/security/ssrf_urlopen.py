# expect: PS311@11
from urllib.request import urlopen

from fastapi import FastAPI

app = FastAPI()


@app.get("/proxy")
async def proxy(target: str):
    with urlopen(target) as handle:
        return {"size": len(handle.read())}
