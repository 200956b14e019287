# expect: PS302@18
import base64
import os

from flask import Flask, request

app = Flask(__name__)


@app.route("/diag/ping")
def diag_ping():
    param = request.headers.get("X-Diag-Host", "")

    encoded = base64.b64encode(param.encode("utf-8"))
    bar = base64.b64decode(encoded).decode("utf-8")

    cmd = "ping -c 1 " + bar
    status = os.system(cmd)
    return {"host": bar, "exit": status}
