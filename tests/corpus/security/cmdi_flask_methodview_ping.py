# expect: PS302@16
import subprocess

from flask import Flask, jsonify, request
from flask.views import MethodView

app = Flask(__name__)


class NetworkDiagnostics:
    def __init__(self, count=3):
        self.count = count

    def ping(self, host):
        cmd = f"ping -c {self.count} -W 2 {host}"
        result = subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=30)
        return result.returncode, result.stdout


class PingAPI(MethodView):
    def __init__(self):
        self.diag = NetworkDiagnostics()

    def post(self):
        payload = request.get_json(silent=True) or {}
        host = payload.get("host", "").strip()
        if not host:
            return jsonify(error="host is required"), 400
        try:
            code, output = self.diag.ping(host)
        except subprocess.TimeoutExpired:
            return jsonify(error="ping timed out"), 504
        return jsonify(host=host, reachable=code == 0, output=output.splitlines())


app.add_url_rule("/api/diagnostics/ping", view_func=PingAPI.as_view("ping"))
