# expect: none
import secrets
from flask import Flask, request, make_response, jsonify
from werkzeug.security import check_password_hash

from app.models import User, SessionStore

app = Flask(__name__)
COOKIE_OPTS = {"secure": True, "httponly": True, "samesite": "Lax", "max_age": 3600 * 8}


@app.route("/session", methods=["POST"])
def create_session():
    email = request.form.get("email", "")
    password = request.form.get("password", "")
    user = User.get_by_email(email)
    if user is None or not check_password_hash(user.password_hash, password):
        return jsonify({"error": "invalid credentials"}), 401
    sid = secrets.token_urlsafe(32)
    SessionStore.save(sid, user.id)
    resp = make_response(jsonify({"ok": True}))
    resp.set_cookie("session_id", sid, **COOKIE_OPTS)
    return resp


@app.route("/session", methods=["DELETE"])
def destroy_session():
    sid = request.cookies.get("session_id")
    if sid:
        SessionStore.delete(sid)
    resp = make_response(jsonify({"ok": True}))
    resp.delete_cookie("session_id", secure=True, httponly=True, samesite="Lax")
    return resp
