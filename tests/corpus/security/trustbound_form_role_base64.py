# expect: PS320@17
import base64
import os

from flask import Flask, redirect, request, session

app = Flask(__name__)
app.secret_key = os.environ["FLASK_SECRET_KEY"]


@app.route("/onboarding/account-type", methods=["POST"])
def save_account_type():
    role = request.form.get("account_type", "member")
    # the wizard passes values between steps base64-encoded
    encoded = base64.b64encode(role.encode("utf-8"))
    decoded = base64.b64decode(encoded).decode("utf-8")
    session["role"] = decoded.strip()
    return redirect("/dashboard")
