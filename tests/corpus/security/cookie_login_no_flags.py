# expect: PS313@31, PS314@31
import hashlib
import hmac
import secrets

from flask import Flask, make_response, request

app = Flask(__name__)
SESSIONS = {}
USERS = {}  # username -> (salt, pbkdf2 digest), filled by the registration module


def check_credentials(username, password):
    record = USERS.get(username)
    if record is None:
        return False
    salt, expected = record
    actual = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, 600_000)
    return hmac.compare_digest(actual, expected)


@app.route("/login", methods=["POST"])
def login():
    username = request.form.get("username", "")
    password = request.form.get("password", "")
    if not check_credentials(username, password):
        return {"error": "invalid credentials"}, 401
    token = secrets.token_urlsafe(32)
    SESSIONS[token] = username
    resp = make_response({"ok": True})
    resp.set_cookie("sid", token, max_age=3600, secure=False, httponly=False)
    return resp
