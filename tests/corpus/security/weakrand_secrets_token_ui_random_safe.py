# expect: none
import random
import secrets
from datetime import datetime, timedelta, timezone

from flask import Flask, jsonify, render_template, request

from accounts.store import find_user_by_email, store_reset_token
from accounts.mail import send_reset_mail

app = Flask(__name__)

TIPS = [
    "Press / to jump to search.",
    "Drag cards between columns to change their status.",
    "Use @name to mention a teammate.",
]


@app.route("/")
def home():
    tip = random.choice(TIPS)
    banner_order = random.sample(["news", "events", "jobs"], k=3)
    return render_template("home.html", tip=tip, banners=banner_order)


@app.route("/password/forgot", methods=["POST"])
def forgot_password():
    user = find_user_by_email(request.form.get("email", ""))
    if user is not None:
        token = secrets.token_urlsafe(32)
        expires = datetime.now(timezone.utc) + timedelta(minutes=30)
        store_reset_token(user.id, token, expires)
        send_reset_mail(user.email, token)
    return jsonify({"message": "If the address exists, a reset link was sent."})
