# expect: PS320@10
from flask import Flask, request, session

app = Flask(__name__)


@app.route("/prefs", methods=["POST"])
def prefs():
    theme = request.form.get("theme", "light")
    session["theme"] = theme
    return "saved"
