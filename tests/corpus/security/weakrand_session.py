# expect: PS316@11
import random

from flask import Flask, session

app = Flask(__name__)


@app.route("/remember")
def remember():
    value = str(random.random())[2:]
    session["remember_me"] = value
    return "ok"
