# expect: PS313@32, PS314@32
import secrets
from datetime import datetime, timedelta, timezone

from flask import Flask, jsonify, make_response, request

app = Flask(__name__)
REMEMBER_TOKENS = {}


def issue_remember_token(user_id):
    token = secrets.token_urlsafe(32)
    REMEMBER_TOKENS[token] = (user_id, datetime.now(timezone.utc) + timedelta(days=30))
    return token


def check_credentials(username, password):
    from accounts.service import verify_login

    return verify_login(username, password)


@app.route("/login", methods=["POST"])
def login():
    data = request.get_json(silent=True) or {}
    user_id = check_credentials(data.get("username", ""), data.get("password", ""))
    if user_id is None:
        return jsonify(error="invalid credentials"), 401
    resp = make_response(jsonify(ok=True))
    if data.get("remember"):
        token = issue_remember_token(user_id)
        resp.set_cookie("remember_token", token, max_age=30 * 24 * 3600)
    return resp
