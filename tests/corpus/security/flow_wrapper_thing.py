# expect: PS305@16
import os

from flask import Flask, request

from helpers import thing_factory

app = Flask(__name__)


@app.route("/t", methods=["POST"])
def t():
    param = request.form.get("v", "")
    thing = thing_factory.create()
    bar = thing.do_something(param)
    os.remove("/tmp/" + bar)
    return "ok"
