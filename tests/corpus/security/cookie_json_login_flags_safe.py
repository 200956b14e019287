# expect: none
import secrets

from flask import Flask, jsonify, request

from myapp.auth import verify_user

app = Flask(__name__)
SESSIONS = {}


@app.route("/api/login", methods=["POST"])
def api_login():
    param = request.get_json()["username"]

    bar = "%s" % param

    if not verify_user(bar, request.get_json().get("password", "")):
        return jsonify({"error": "invalid credentials"}), 401

    token = secrets.token_urlsafe(32)
    SESSIONS[token] = bar
    response = jsonify({"ok": True})
    response.set_cookie(
        "session_token", token, max_age=3600, secure=True, httponly=True, samesite="Strict"
    )
    return response
