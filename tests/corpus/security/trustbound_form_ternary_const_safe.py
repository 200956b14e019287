# expect: none
from flask import Flask, jsonify, request, session

from myapp.config import load_secret_key

app = Flask(__name__)
app.secret_key = load_secret_key()


@app.route("/prefs/lang", methods=["POST"])
def set_language():
    param = request.form.get("lang", "")

    bar = "en-US" if (7 * 18) + 106 > 200 else param

    session["lang"] = bar
    return jsonify({"lang": session["lang"]})
