# expect: PS314@23
import secrets

from flask import Flask, jsonify, make_response, request
from werkzeug.security import check_password_hash

from accounts.store import get_user_by_email, save_session

app = Flask(__name__)

AUTH_COOKIE = "auth_token"
COOKIE_OPTIONS = {
    "max_age": 60 * 60 * 8,
    "samesite": "Lax",
    "secure": True,
    "httponly": False,  # the SPA reads it to build the Authorization header
    "path": "/",
}


def _issue(response, token, **overrides):
    options = {**COOKIE_OPTIONS, **overrides}
    response.set_cookie(AUTH_COOKIE, token, **options)
    return response


@app.route("/api/login", methods=["POST"])
def api_login():
    body = request.get_json(silent=True) or {}
    user = get_user_by_email(str(body.get("email", "")))
    if user is None or not check_password_hash(user.password_hash, str(body.get("password", ""))):
        return jsonify({"error": "invalid credentials"}), 401
    token = secrets.token_urlsafe(32)
    save_session(token, user.id)
    resp = make_response(jsonify({"ok": True}))
    return _issue(resp, token)
