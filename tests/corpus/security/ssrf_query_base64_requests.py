# expect: PS311@14
import base64

import requests
from flask import Flask, request

app = Flask(__name__)


@app.route("/preview")
def link_preview():
    token = request.args.get("u", "")
    url = base64.urlsafe_b64decode(token.encode("ascii")).decode("utf-8")
    resp = requests.get(url, timeout=5)
    return {"status": resp.status_code, "snippet": resp.text[:300]}
