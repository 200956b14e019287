# expect: PS315@19
import hashlib
import sqlite3

from flask import Flask, request

app = Flask(__name__)


@app.route("/register", methods=["POST"])
def register():
    username = request.form.get("username", "")
    param = request.form.get("password", "")

    store = {}
    store["pw"] = param
    bar = store["pw"]

    digest = hashlib.md5(bar.encode("utf-8")).hexdigest()
    conn = sqlite3.connect("/var/lib/app/users.db")
    with conn:
        conn.execute(
            "INSERT INTO users (username, password_hash) VALUES (?, ?)",
            (username, digest),
        )
    conn.close()
    return {"registered": username}, 201
