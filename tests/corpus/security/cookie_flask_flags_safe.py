# expect: none
import secrets

from flask import Flask, make_response, request

from auth_backend import verify_user

app = Flask(__name__)
SESSIONS = {}


@app.route("/signin", methods=["POST"])
def signin():
    email = request.form.get("email", "").strip().lower()
    password = request.form.get("password", "")
    user_id = verify_user(email, password)
    if user_id is None:
        return {"error": "invalid credentials"}, 401
    sid = secrets.token_urlsafe(32)
    SESSIONS[sid] = user_id
    resp = make_response({"ok": True})
    resp.set_cookie(
        "session_id",
        sid,
        max_age=8 * 3600,
        secure=True,
        httponly=True,
        samesite="Strict",
    )
    return resp
