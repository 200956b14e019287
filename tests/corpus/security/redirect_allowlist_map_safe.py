# expect: none
from flask import Flask, redirect, request

app = Flask(__name__)

DESTINATIONS = {
    "home": "/",
    "billing": "/account/billing",
    "profile": "/account/profile",
}


@app.route("/go", methods=["POST"])
def go():
    param = request.form.get("dest", "home")

    bar = param.strip().lower()
    target = DESTINATIONS.get(bar, "/")

    return redirect(target)
