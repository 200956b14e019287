# expect: PS313@25, PS314@25
import secrets
from flask import Flask, request, make_response, jsonify
from werkzeug.security import check_password_hash

from app.models import User, SessionToken

app = Flask(__name__)
TOKEN_TTL = 3600 * 24 * 14


def issue_token(user):
    token = secrets.token_urlsafe(32)
    SessionToken.create(user_id=user.id, token=token, ttl=TOKEN_TTL)
    return token


@app.route("/api/login", methods=["POST"])
def api_login():
    creds = request.get_json(silent=True) or {}
    user = User.get_by_email(creds.get("email", ""))
    if not user or not check_password_hash(user.password_hash, creds.get("password", "")):
        return jsonify({"error": "invalid credentials"}), 401
    resp = make_response(jsonify({"user": user.id}))
    resp.set_cookie("auth_token", issue_token(user), max_age=TOKEN_TTL)
    return resp
