# expect: none
import base64
import json
import pickle
from flask import Flask, request, jsonify

app = Flask(__name__)
DEFAULT_PREFS = {"theme": "light", "language": "en", "widgets": ["news", "weather"]}
ALLOWED_THEMES = {"light", "dark"}


def default_prefs():
    return pickle.loads(pickle.dumps(DEFAULT_PREFS))


def load_prefs(raw):
    prefs = default_prefs()
    if not raw:
        return prefs
    try:
        data = json.loads(base64.urlsafe_b64decode(raw.encode()))
    except (ValueError, TypeError):
        return prefs
    if isinstance(data, dict):
        if data.get("theme") in ALLOWED_THEMES:
            prefs["theme"] = data["theme"]
        if isinstance(data.get("widgets"), list):
            prefs["widgets"] = [w for w in data["widgets"] if isinstance(w, str)][:10]
    return prefs


@app.route("/preferences")
def preferences():
    prefs = load_prefs(request.cookies.get("prefs"))
    return jsonify(prefs)
