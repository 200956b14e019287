# expect: PS302@13
import subprocess

from flask import Flask, request

app = Flask(__name__)


@app.route("/echo")
def echo():
    word = request.cookies.get("word", "")
    args = ["sh", "-c", "echo " + word]
    subprocess.run(args)
    return "done"
