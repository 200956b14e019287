# expect: PS306@14
from flask import Flask, redirect, request

app = Flask(__name__)


@app.route("/logout")
def logout():
    params = {}
    params["next"] = request.args.get("continue", "/")
    params["fallback"] = "/"
    target = params["next"].strip()[:2048]
    destination = "" + target
    resp = redirect(destination, code=302)
    resp.delete_cookie("sid")
    return resp
