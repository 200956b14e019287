# expect: none
import os
import secrets

from flask import Flask, jsonify, make_response, request

from accounts.store import create_session, verify_credentials

app = Flask(__name__)
app.config["SECRET_KEY"] = os.environ["FLASK_SECRET_KEY"]
THEMES = {"light", "dark", "high-contrast"}


@app.route("/login", methods=["POST"])
def login():
    user_id = verify_credentials(request.form.get("username", ""), request.form.get("password", ""))
    if user_id is None:
        return jsonify({"error": "invalid credentials"}), 401
    session_id = secrets.token_urlsafe(32)
    create_session(session_id, user_id)
    resp = make_response(jsonify({"ok": True}))
    resp.set_cookie(
        "session_id",
        session_id,
        max_age=60 * 60 * 12,
        secure=True,
        httponly=True,
        samesite="Strict",
    )
    return resp


@app.route("/preferences/theme", methods=["POST"])
def set_theme():
    theme = request.form.get("theme", "light")
    if theme not in THEMES:
        theme = "light"
    resp = make_response(jsonify({"theme": theme}))
    # purely cosmetic and read by the front-end script, so no httponly here
    resp.set_cookie("theme", theme, max_age=60 * 60 * 24 * 365, samesite="Lax")
    return resp
