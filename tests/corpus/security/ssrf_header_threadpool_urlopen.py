# expect: PS311@20
from concurrent.futures import ThreadPoolExecutor
from urllib.request import urlopen

from flask import Flask, request

app = Flask(__name__)
pool = ThreadPoolExecutor(max_workers=4)


def normalise(host):
    return host.strip().lower()


@app.route("/health/upstream")
def upstream_health():
    host = request.headers.get("X-Upstream-Host", "api.internal")
    future = pool.submit(normalise, host)
    target = future.result(timeout=2)
    with urlopen("http://" + target + "/healthz", timeout=3) as resp:
        body = resp.read(200).decode("utf-8", errors="replace")
        status = resp.status
    return {"upstream": target, "status": status, "body": body}
