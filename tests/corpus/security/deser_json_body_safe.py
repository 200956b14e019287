# expect: none
import json
import pickle
from pathlib import Path

from flask import Flask, abort, jsonify, request

app = Flask(__name__)
MODEL_PATH = Path(__file__).resolve().parent / "artifacts" / "spam_model.pkl"


def _load_model():
    # artifact produced by our own training pipeline and shipped with the image
    with MODEL_PATH.open("rb") as fh:
        return pickle.load(fh)


MODEL = _load_model()


def parse_payload(raw_bytes):
    try:
        payload = json.loads(raw_bytes.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        abort(400)
    if not isinstance(payload, dict) or not isinstance(payload.get("messages"), list):
        abort(400)
    return [str(m) for m in payload["messages"][:100]]


@app.route("/classify", methods=["POST"])
def classify():
    messages = parse_payload(request.get_data())
    scores = MODEL.predict_proba(messages)
    return jsonify([{"text": m[:80], "spam": float(s[1])} for m, s in zip(messages, scores)])
