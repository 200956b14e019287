# expect: none
import subprocess

from flask import Flask, Response, request

app = Flask(__name__)
LOG_DIR = "/var/log/myapp"


def search_logs(pattern, max_count=200):
    argv = ["grep", "-r", "-n", "-F", "-m", str(max_count), "--", pattern, LOG_DIR]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=15, check=False)
    return proc.stdout


@app.route("/admin/logs/search")
def log_search():
    pattern = request.args.get("q", "")
    if not pattern:
        return Response("missing q", status=400)
    try:
        limit = int(request.args.get("limit", "200"))
    except ValueError:
        limit = 200
    output = search_logs(pattern, max_count=max(1, min(limit, 1000)))
    return Response(output, mimetype="text/plain")
