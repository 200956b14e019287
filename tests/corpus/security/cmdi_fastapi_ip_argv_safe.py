# expect: none
import ipaddress
import subprocess

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

app = FastAPI()


class TraceRequest(BaseModel):
    target: str
    max_hops: int = 15


@app.post("/network/traceroute")
def traceroute(req: TraceRequest):
    try:
        addr = ipaddress.ip_address(req.target)
    except ValueError:
        raise HTTPException(status_code=400, detail="target must be an IP address")
    hops = min(max(req.max_hops, 1), 30)

    proc = subprocess.run(
        ["traceroute", "-n", "-m", str(hops), str(addr)],
        shell=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return {"output": proc.stdout.splitlines()}
