# expect: PS302@19
import subprocess
from collections import deque

from flask import Flask, request

app = Flask(__name__)


@app.route("/reports/archive")
def archive_report():
    report = request.cookies.get("last_report", "daily")
    pending = deque()
    pending.append("summary")
    pending.append(report)
    pending.popleft()
    name = pending.popleft()
    cmd = f"tar -czf /tmp/export.tgz /srv/reports/{name}"
    result = subprocess.run(cmd, shell=True, capture_output=True, text=True)
    return {"returncode": result.returncode, "stderr": result.stderr[-500:]}
