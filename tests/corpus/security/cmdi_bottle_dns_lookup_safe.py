# expect: none
import re
import subprocess

from bottle import Bottle, HTTPError, request

app = Bottle()

RECORD_TYPES = {"A", "AAAA", "MX", "TXT", "NS", "CNAME"}
HOSTNAME_RE = re.compile(
    r"^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,63}$"
)


def lookup(domain, rtype):
    proc = subprocess.run(
        ["/usr/bin/host", "-t", rtype, domain],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    return [line for line in proc.stdout.splitlines() if line.strip()]


@app.get("/tools/dns")
def dns_lookup():
    domain = request.query.domain.strip()
    rtype = (request.query.type or "A").upper()
    if rtype not in RECORD_TYPES:
        raise HTTPError(400, "unsupported record type")
    if not HOSTNAME_RE.match(domain):
        raise HTTPError(400, "invalid domain name")
    return {"domain": domain, "type": rtype, "answers": lookup(domain, rtype)}
