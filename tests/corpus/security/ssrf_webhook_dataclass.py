# expect: PS311@27
import json
from dataclasses import dataclass, field
from urllib.parse import urlparse

import requests
from flask import Flask, jsonify, request

app = Flask(__name__)


@dataclass
class Webhook:
    url: str
    events: list = field(default_factory=list)
    secret_header: str = ""

    def is_valid(self):
        return urlparse(self.url).scheme in ("http", "https") and bool(self.events)


def send_test_event(hook):
    payload = {"event": "ping", "subscribed": hook.events}
    headers = {"Content-Type": "application/json"}
    if hook.secret_header:
        headers["X-Webhook-Secret"] = hook.secret_header
    resp = requests.post(hook.url, data=json.dumps(payload), headers=headers, timeout=5)
    return resp.status_code, resp.text[:500]


@app.route("/webhooks/test", methods=["POST"])
def test_webhook():
    try:
        hook = Webhook(**(request.get_json(silent=True) or {}))
    except TypeError:
        return jsonify({"error": "unexpected fields"}), 400
    if not hook.is_valid():
        return jsonify({"error": "invalid webhook"}), 400
    status, body = send_test_event(hook)
    return jsonify({"status": status, "response": body})
