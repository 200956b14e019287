# expect: none
from flask import Flask, redirect, request

app = Flask(__name__)
ALLOWED_TARGETS = {"/", "/home", "/profile"}


@app.route("/login")
def login():
    target = request.args.get("next", "/")
    if target not in ALLOWED_TARGETS:
        target = "/"
    return redirect(target)
