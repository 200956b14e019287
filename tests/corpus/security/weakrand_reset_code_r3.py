# expect: PS316@16
import random
import time

from flask import Flask, request

from mailer import send_mail

app = Flask(__name__)
PENDING_CODES = {}


@app.route("/password/forgot", methods=["POST"])
def forgot_password():
    email = request.form.get("email", "").strip().lower()
    code = str(random.randint(100000, 999999))
    PENDING_CODES[email] = (code, time.time() + 900)
    send_mail(email, "Your reset code", "Use code %s within 15 minutes." % code)
    return {"sent": True}


@app.route("/password/reset", methods=["POST"])
def reset_password():
    email = request.form.get("email", "").strip().lower()
    code, expires = PENDING_CODES.get(email, (None, 0))
    if code is None or time.time() > expires or request.form.get("code") != code:
        return {"error": "invalid code"}, 400
    del PENDING_CODES[email]
    return {"reset_allowed": True}
