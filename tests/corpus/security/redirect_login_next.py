# expect: PS306@23
import os
from flask import Flask, request, redirect, session, render_template, url_for
from werkzeug.security import check_password_hash

from myapp.models import User

app = Flask(__name__)
app.secret_key = os.environ["SECRET_KEY"]


@app.route("/login", methods=["GET", "POST"])
def login():
    next_url = request.args.get("next") or url_for("dashboard")
    if request.method == "GET":
        return render_template("login.html", next=next_url)
    email = request.form.get("email", "").strip().lower()
    user = User.query.filter_by(email=email).first()
    if user is None or not check_password_hash(user.password_hash, request.form.get("password", "")):
        return render_template("login.html", next=next_url, error="Invalid credentials"), 401
    session.clear()
    session["user_id"] = user.id
    return redirect(next_url)


@app.route("/dashboard")
def dashboard():
    return render_template("dashboard.html")
