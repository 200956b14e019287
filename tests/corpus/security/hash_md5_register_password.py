# expect: PS315@16
import hashlib
import sqlite3

from flask import Flask, request

app = Flask(__name__)


@app.route("/register", methods=["POST"])
def register():
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    if not username or len(password) < 8:
        return {"error": "invalid input"}, 400
    digest = hashlib.md5(password.encode("utf-8")).hexdigest()
    conn = sqlite3.connect("users.db")
    with conn:
        conn.execute(
            "INSERT INTO users (username, password_hash) VALUES (?, ?)", (username, digest)
        )
    conn.close()
    return {"created": username}, 201
