# expect: none
from flask import Flask, request

app = Flask(__name__)


@app.route("/run", methods=["POST"])
def run():
    param = request.form.get("v", "")
    items = []
    items.append("safe")
    items.append(param)
    items.append("moresafe")
    items.pop(0)
    bar = items[1]
    return str(eval(bar))
