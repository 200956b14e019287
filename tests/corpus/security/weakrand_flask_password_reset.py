# expect: PS316@14
import random
import string
from datetime import datetime, timedelta, timezone

from flask import Flask, jsonify, request

app = Flask(__name__)
TOKEN_ALPHABET = string.ascii_letters + string.digits
RESET_TOKENS = {}


def make_reset_token(length=40):
    return "".join(random.choice(TOKEN_ALPHABET) for _ in range(length))


def send_reset_mail(email, token):
    from notifications.mail import send

    send(email, "Reset your password", f"https://app.example.com/reset?token={token}")


@app.route("/password/forgot", methods=["POST"])
def forgot_password():
    email = (request.get_json(silent=True) or {}).get("email", "").strip().lower()
    if email:
        token = make_reset_token()
        RESET_TOKENS[token] = (email, datetime.now(timezone.utc) + timedelta(hours=1))
        send_reset_mail(email, token)
    # same answer either way so the endpoint does not reveal which emails exist
    return jsonify(message="If the account exists, a reset link was sent."), 202
