# expect: none
import re

from flask import Flask, request, session

app = Flask(__name__)


@app.route("/prefs", methods=["POST"])
def prefs():
    theme = request.form.get("theme", "light")
    if not re.fullmatch(r"[a-z]{1,16}", theme):
        return "bad theme", 400
    session["theme"] = theme
    return "saved"
