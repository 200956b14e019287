# expect: none
from flask import Flask, request, session, jsonify

app = Flask(__name__)
SUPPORTED_LOCALES = {"en", "de", "fr", "es"}


def clamp(value, low, high):
    return max(low, min(value, high))


@app.route("/preferences/locale", methods=["POST"])
def set_locale():
    locale = request.form.get("locale", "").strip().lower()
    if locale not in SUPPORTED_LOCALES:
        return jsonify({"error": "unsupported locale"}), 400
    session["locale"] = locale
    return jsonify({"locale": locale})


@app.route("/preferences/page-size", methods=["POST"])
def set_page_size():
    try:
        size = int(request.form.get("size", "25"))
    except ValueError:
        return jsonify({"error": "size must be a number"}), 400
    session["page_size"] = clamp(size, 10, 100)
    return jsonify({"page_size": session["page_size"]})
