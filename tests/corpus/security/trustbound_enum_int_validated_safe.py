# expect: none
import enum
import os

from flask import Flask, jsonify, request, session

app = Flask(__name__)
app.secret_key = os.environ["FLASK_SECRET_KEY"]


class Currency(enum.Enum):
    EUR = "EUR"
    USD = "USD"
    GBP = "GBP"


LANGUAGES = {"en", "de", "fr"}
PAGE_SIZES = {10, 25, 50, 100}


@app.route("/settings/display", methods=["POST"])
def display_settings():
    errors = {}
    try:
        session["currency"] = Currency(request.form.get("currency", "EUR")).value
    except ValueError:
        errors["currency"] = "unsupported currency"
    language = request.form.get("language", "en")
    if language in LANGUAGES:
        session["language"] = language
    else:
        errors["language"] = "unsupported language"
    try:
        page_size = int(request.form.get("page_size", "25"))
    except ValueError:
        page_size = None
    if page_size in PAGE_SIZES:
        session["page_size"] = page_size
    else:
        errors["page_size"] = "unsupported page size"
    status = 400 if errors else 200
    return jsonify({"errors": errors, "saved": {k: session.get(k) for k in ("currency", "language", "page_size")}}), status
