# expect: none
import hashlib
import os
import sqlite3

from flask import Flask, request, session

app = Flask(__name__)
app.secret_key = os.environ["FLASK_SECRET_KEY"]
ITERATIONS = 600_000


@app.route("/account/password", methods=["POST"])
def change_password():
    user_id = session.get("user_id")
    if user_id is None:
        return {"error": "login required"}, 401
    new_password = request.form.get("new_password", "")
    if len(new_password) < 12:
        return {"error": "password too short"}, 400
    salt = os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", new_password.encode("utf-8"), salt, ITERATIONS)
    stored = "pbkdf2_sha256$%d$%s$%s" % (ITERATIONS, salt.hex(), digest.hex())
    conn = sqlite3.connect("users.db")
    with conn:
        conn.execute("UPDATE users SET password_hash = ? WHERE id = ?", (stored, user_id))
    conn.close()
    return {"updated": True}
