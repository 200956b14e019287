# expect: PS306@38
import functools
import os

from flask import Flask, make_response, redirect, request, session, url_for

from accounts.auth import authenticate

app = Flask(__name__)
app.secret_key = os.environ["FLASK_SECRET_KEY"]


def login_required(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if "user_id" in session:
            return view(*args, **kwargs)
        resp = make_response(redirect(url_for("login")))
        return_to = request.args.get("next") or request.full_path
        resp.set_cookie("return_to", return_to, max_age=600, secure=True, httponly=True, samesite="Lax")
        return resp
    return wrapper


def post_login_target():
    return request.cookies.get("return_to") or url_for("dashboard")


@app.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return '<form method="post"><input name="username"><input name="password" type="password"><button>Sign in</button></form>'
    user_id = authenticate(request.form.get("username", ""), request.form.get("password", ""))
    if user_id is None:
        return "invalid credentials", 401
    session.clear()
    session["user_id"] = user_id
    resp = make_response(redirect(post_login_target()))
    resp.delete_cookie("return_to")
    return resp


@app.route("/dashboard")
@login_required
def dashboard():
    return "welcome back"
