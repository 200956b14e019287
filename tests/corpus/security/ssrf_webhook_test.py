# expect: PS311@15
import requests
from flask import Flask, request, jsonify

app = Flask(__name__)


class WebhookTester:
    def __init__(self, timeout=5):
        self.timeout = timeout

    def ping(self, url, secret):
        payload = {"event": "ping", "source": "example-app"}
        headers = {"X-Webhook-Secret": secret}
        return requests.post(url, json=payload, headers=headers, timeout=self.timeout)


@app.route("/integrations/webhooks/test", methods=["POST"])
def test_webhook():
    data = request.get_json(force=True)
    url = data.get("url", "")
    if not url.startswith(("http://", "https://")):
        return jsonify({"error": "url must be http(s)"}), 400
    try:
        resp = WebhookTester().ping(url, data.get("secret", ""))
    except requests.RequestException as exc:
        return jsonify({"ok": False, "error": str(exc)}), 502
    return jsonify({"ok": resp.ok, "status": resp.status_code, "body": resp.text[:500]})
