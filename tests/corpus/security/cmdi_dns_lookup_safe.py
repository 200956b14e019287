# expect: none
import re
import subprocess
from fastapi import FastAPI, HTTPException

app = FastAPI()
HOSTNAME_RE = re.compile(r"^(?=.{1,253}$)([a-zA-Z0-9-]{1,63}\.)*[a-zA-Z0-9-]{1,63}$")
RECORD_TYPES = {"A", "AAAA", "MX", "TXT", "NS"}


def dig(name: str, record_type: str) -> str:
    args = ["/usr/bin/dig", "+short", record_type, name]
    completed = subprocess.run(args, capture_output=True, text=True, timeout=5, check=False)
    return completed.stdout


@app.get("/tools/dns")
def dns_lookup(name: str, type: str = "A"):
    record_type = type.upper()
    if record_type not in RECORD_TYPES:
        raise HTTPException(status_code=400, detail="unsupported record type")
    if not HOSTNAME_RE.match(name) or name.startswith("-"):
        raise HTTPException(status_code=400, detail="invalid hostname")
    answers = [line for line in dig(name, record_type).splitlines() if line]
    return {"name": name, "type": record_type, "answers": answers}
