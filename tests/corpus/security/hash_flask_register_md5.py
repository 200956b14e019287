# expect: PS315@18
import hashlib
import sqlite3

from flask import Flask, g, jsonify, request

app = Flask(__name__)
DATABASE = "/srv/app/users.db"


def get_db():
    if "db" not in g:
        g.db = sqlite3.connect(DATABASE)
    return g.db


def hash_password(password):
    return hashlib.md5(password.encode("utf-8")).hexdigest()


def create_user(email, password):
    db = get_db()
    db.execute(
        "INSERT INTO users (email, password_hash) VALUES (?, ?)",
        (email.lower(), hash_password(password)),
    )
    db.commit()


@app.route("/register", methods=["POST"])
def register():
    data = request.get_json(silent=True) or {}
    email = data.get("email", "").strip()
    password = data.get("password", "")
    if "@" not in email or len(password) < 8:
        return jsonify(error="invalid email or password too short"), 400
    try:
        create_user(email, password)
    except sqlite3.IntegrityError:
        return jsonify(error="account exists"), 409
    return jsonify(ok=True), 201
