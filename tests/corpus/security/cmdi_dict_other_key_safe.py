# expect: none
import subprocess

from flask import Flask, request

app = Flask(__name__)


@app.route("/tools/echo")
def tools_echo():
    param = request.cookies.get("label", "")

    store = {}
    store["keyA-1"] = "a-Value"
    store["keyB-1"] = param
    bar = store["keyA-1"]

    result = subprocess.run(
        "echo " + bar, shell=True, capture_output=True, text=True, timeout=5
    )
    return result.stdout
