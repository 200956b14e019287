# expect: PS316@14
import random
import string
from datetime import datetime, timedelta
from flask import Flask, request, jsonify

from app.models import User, ResetRequest
from app.mail import send_reset_mail

app = Flask(__name__)


def generate_reset_code(length=6):
    return "".join(random.choice(string.digits) for _ in range(length))


@app.route("/password/forgot", methods=["POST"])
def forgot_password():
    email = request.form.get("email", "").strip().lower()
    user = User.get_by_email(email)
    if user is not None:
        code = generate_reset_code()
        ResetRequest.create(
            user_id=user.id,
            code=code,
            expires_at=datetime.utcnow() + timedelta(minutes=15),
        )
        send_reset_mail(user.email, code)
    return jsonify({"message": "If the address exists, a code has been sent."})
