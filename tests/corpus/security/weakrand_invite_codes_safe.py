# expect: none
import random
import secrets
from flask import Flask, jsonify
from flask_login import login_required, current_user

from app.models import Invite

app = Flask(__name__)
TIPS = [
    "Invite your team from the settings page.",
    "Use keyboard shortcut ? to see all shortcuts.",
    "Star a project to pin it to your sidebar.",
    "Connect your calendar to get reminders.",
]


@app.route("/invites", methods=["POST"])
@login_required
def create_invite():
    code = secrets.token_urlsafe(16)
    Invite.create(owner_id=current_user.id, code=code)
    return jsonify({"code": code}), 201


@app.route("/onboarding/tips")
def tips():
    shown = list(TIPS)
    random.shuffle(shown)
    return jsonify(shown[:3])
