# expect: none
import os

from flask import Flask, request

app = Flask(__name__)


@app.route("/t", methods=["POST"])
def t():
    first, second = request.form.get("v", ""), "constant"
    os.system("echo " + second)
    return {"length": len(first)}
