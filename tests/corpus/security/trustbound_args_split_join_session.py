# expect: PS320@19
from flask import Flask, redirect, request, session

from myapp.config import load_secret_key

app = Flask(__name__)
app.secret_key = load_secret_key()


@app.route("/account/switch")
def switch_account():
    if "user_id" not in session:
        return redirect("/login")

    param = request.args.get("account_id", "")

    bar = "".join(param.split())

    session["account_id"] = bar
    return redirect("/dashboard")
