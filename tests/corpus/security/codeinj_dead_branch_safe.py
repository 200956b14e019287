# expect: none
from flask import Flask, request

app = Flask(__name__)


@app.route("/run", methods=["POST"])
def run():
    param = request.form.get("code", "")
    num = 86
    if (7 * 42) - num > 200:
        bar = "print('fixed')"
    else:
        bar = param
    exec(bar)
    return "ok"
