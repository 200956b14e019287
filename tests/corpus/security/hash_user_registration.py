# expect: PS315@11
import hashlib
from flask import Flask, request, jsonify

from app.db import db, User

app = Flask(__name__)


def hash_password(password, salt=""):
    return hashlib.md5((salt + password).encode("utf-8")).hexdigest()


@app.route("/register", methods=["POST"])
def register():
    form = request.form
    email = form.get("email", "").strip().lower()
    password = form.get("password", "")
    if "@" not in email:
        return jsonify({"error": "invalid email"}), 400
    if len(password) < 8:
        return jsonify({"error": "password too short"}), 400
    if User.query.filter_by(email=email).first():
        return jsonify({"error": "already registered"}), 409
    user = User(email=email, password_hash=hash_password(password, salt=email))
    db.session.add(user)
    db.session.commit()
    return jsonify({"id": user.id}), 201
