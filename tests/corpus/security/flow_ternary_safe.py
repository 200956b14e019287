# expect: none
import os

from flask import Flask, request

app = Flask(__name__)


@app.route("/t", methods=["POST"])
def t():
    param = request.form.get("v", "")
    num = 196
    bar = "safe" if (500 / 42) + num > 200 else param
    os.system("echo " + bar)
    return "ok"
