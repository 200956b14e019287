# expect: none
import hashlib
import os
from flask import Flask, request, jsonify, render_template, make_response

from app.db import db, User

app = Flask(__name__)
ITERATIONS = 600_000


def hash_password(password):
    salt = os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, ITERATIONS)
    return "pbkdf2_sha256$%d$%s$%s" % (ITERATIONS, salt.hex(), digest.hex())


@app.route("/register", methods=["POST"])
def register():
    email = request.form.get("email", "").strip().lower()
    password = request.form.get("password", "")
    if len(password) < 8:
        return jsonify({"error": "password too short"}), 400
    if User.query.filter_by(email=email).first():
        return jsonify({"error": "already registered"}), 409
    user = User(email=email, password_hash=hash_password(password))
    db.session.add(user)
    db.session.commit()
    return jsonify({"id": user.id}), 201


@app.route("/terms")
def terms():
    body = render_template("terms.html")
    etag = hashlib.md5(body.encode("utf-8")).hexdigest()
    if request.headers.get("If-None-Match") == etag:
        return "", 304
    resp = make_response(body)
    resp.headers["ETag"] = etag
    return resp
