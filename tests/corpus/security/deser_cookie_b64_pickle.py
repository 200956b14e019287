# expect: PS304@20
import base64
import pickle

from flask import Flask, jsonify, request

app = Flask(__name__)

DEFAULT_PREFS = {"theme": "light", "page_size": 20}


@app.route("/dashboard")
def dashboard():
    param = request.cookies.get("prefs")
    if not param:
        return jsonify(DEFAULT_PREFS)

    bar = base64.urlsafe_b64decode(param.encode("ascii"))

    prefs = pickle.loads(bar)
    merged = dict(DEFAULT_PREFS)
    merged.update(prefs)
    return jsonify(merged)
