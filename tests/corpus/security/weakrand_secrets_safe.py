# expect: none
import random
import secrets

from flask import Flask, session

app = Flask(__name__)


@app.route("/remember")
def remember():
    session["remember_me"] = secrets.token_urlsafe(32)
    session["nonce"] = str(random.SystemRandom().getrandbits(128))
    return "ok"
