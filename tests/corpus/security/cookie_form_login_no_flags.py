# expect: PS313@24, PS314@24
import secrets

from flask import Flask, redirect, request

from myapp.auth import verify_user

app = Flask(__name__)
SESSIONS = {}


@app.route("/login", methods=["POST"])
def login():
    param = request.form.get("username", "")

    bar = param.lower().strip()

    if not verify_user(bar, request.form.get("password", "")):
        return "invalid credentials", 401

    token = secrets.token_urlsafe(32)
    SESSIONS[token] = bar
    response = redirect("/home")
    response.set_cookie("session_token", token, max_age=3600)
    return response
