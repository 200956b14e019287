# expect: none
import ipaddress
import subprocess

from fastapi import FastAPI, HTTPException, Query

app = FastAPI()


@app.get("/netcheck/ping")
def ping(host: str = Query(..., max_length=64)):
    try:
        addr = ipaddress.ip_address(host)
    except ValueError:
        raise HTTPException(status_code=400, detail="host must be an IP address")
    if addr.is_multicast or addr.is_unspecified:
        raise HTTPException(status_code=400, detail="address not allowed")
    proc = subprocess.run(
        ["ping", "-c", "3", "-W", "2", str(addr)],
        shell=False,
        capture_output=True,
        text=True,
        timeout=15,
    )
    return {"host": str(addr), "reachable": proc.returncode == 0}
