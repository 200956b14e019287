# expect: PS304@17
import base64
import pickle

from flask import Flask, jsonify, make_response, request

app = Flask(__name__)

DEFAULT_PREFS = {"theme": "light", "page_size": 25, "columns": ["name", "status"]}


def load_prefs(raw_cookie):
    if not raw_cookie:
        return dict(DEFAULT_PREFS)
    try:
        data = base64.urlsafe_b64decode(raw_cookie.encode())
        prefs = pickle.loads(data)
    except Exception:
        return dict(DEFAULT_PREFS)
    merged = dict(DEFAULT_PREFS)
    merged.update(prefs)
    return merged


@app.route("/dashboard/prefs", methods=["GET"])
def get_prefs():
    return jsonify(load_prefs(request.cookies.get("ui_prefs")))


@app.route("/dashboard/prefs", methods=["POST"])
def save_prefs():
    prefs = load_prefs(request.cookies.get("ui_prefs"))
    prefs.update(request.get_json(silent=True) or {})
    encoded = base64.urlsafe_b64encode(pickle.dumps(prefs)).decode()
    resp = make_response(jsonify(prefs))
    resp.set_cookie("ui_prefs", encoded, max_age=30 * 86400, secure=True, httponly=True)
    return resp
