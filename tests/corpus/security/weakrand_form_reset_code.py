# expect: PS316@18
import random

from flask import Flask, jsonify, request

from myapp.mail import send_mail
from myapp.store import save_reset_code

app = Flask(__name__)


@app.route("/password/forgot", methods=["POST"])
def forgot_password():
    param = request.form.get("email", "")

    bar = param.strip().lower()

    code = "%06d" % random.randint(0, 999999)
    save_reset_code(bar, code, ttl_seconds=900)
    send_mail(bar, "Your reset code", "Use this code to reset your password: " + code)
    return jsonify({"sent": True})
