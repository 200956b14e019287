# expect: PS302@11
import os
from flask import Flask, request, jsonify

app = Flask(__name__)
RESULT_FILE = "/tmp/netdiag_ping.txt"


def run_ping(host, count=3):
    cmd = "ping -c " + str(count) + " " + host + " > " + RESULT_FILE
    return os.system(cmd)


@app.route("/admin/netdiag/ping", methods=["POST"])
def ping():
    payload = request.get_json(silent=True) or {}
    host = payload.get("host", "")
    if not host:
        return jsonify({"error": "host is required"}), 400
    try:
        count = int(payload.get("count", 3))
    except (TypeError, ValueError):
        count = 3
    status = run_ping(host, count)
    with open(RESULT_FILE) as fh:
        output = fh.read()
    return jsonify({"exit_status": status, "output": output})
