# expect: none
import secrets
import time

from flask import Flask, request

from mailer import send_mail

app = Flask(__name__)
INVITES = {}


@app.route("/team/invite", methods=["POST"])
def invite():
    email = request.form.get("email", "").strip().lower()
    if "@" not in email:
        return {"error": "invalid email"}, 400
    token = secrets.token_urlsafe(32)
    INVITES[token] = (email, time.time() + 7 * 24 * 3600)
    link = "https://app.example.com/join?token=" + token
    send_mail(email, "You have been invited", "Join the team: " + link)
    return {"invited": email}
