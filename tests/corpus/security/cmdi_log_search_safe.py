# expect: none
import os
import shlex
import subprocess
from flask import Flask, request, jsonify

app = Flask(__name__)
LOG_FILE = "/var/log/webapp/app.log"


def rotate_logs():
    os.system("logrotate -f /etc/logrotate.d/webapp")


def search_log(term, limit):
    pipeline = "grep -F -- {} {} | tail -n {}".format(shlex.quote(term), LOG_FILE, limit)
    proc = subprocess.run(pipeline, shell=True, capture_output=True, text=True, timeout=10)
    return proc.stdout.splitlines()


@app.route("/admin/logs/search")
def logs_search():
    term = request.args.get("term", "")
    if not term:
        return jsonify({"lines": []})
    try:
        limit = max(1, min(int(request.args.get("limit", "100")), 1000))
    except ValueError:
        limit = 100
    if request.args.get("rotate") == "1":
        rotate_logs()
    return jsonify({"term": term, "lines": search_log(term, limit)})
