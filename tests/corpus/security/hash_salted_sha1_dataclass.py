# expect: PS315@21
import hashlib
import hmac
import os
from dataclasses import dataclass

from flask import Flask, jsonify, request

app = Flask(__name__)
ACCOUNTS = {}


@dataclass
class Account:
    email: str
    salt: str
    password_hash: str

    @staticmethod
    def digest(password, salt):
        return hashlib.sha1((salt + password).encode("utf-8")).hexdigest()

    @classmethod
    def create(cls, email, password):
        salt = os.urandom(16).hex()
        return cls(email=email, salt=salt, password_hash=cls.digest(password, salt))

    def verify(self, password):
        return hmac.compare_digest(self.digest(password, self.salt), self.password_hash)


@app.route("/signup", methods=["POST"])
def signup():
    email = request.form.get("email", "").strip().lower()
    password = request.form.get("password", "")
    if not email or len(password) < 10:
        return jsonify({"error": "email and a 10+ character password are required"}), 400
    if email in ACCOUNTS:
        return jsonify({"error": "account exists"}), 409
    ACCOUNTS[email] = Account.create(email, password)
    return jsonify({"created": email}), 201


@app.route("/signin", methods=["POST"])
def signin():
    account = ACCOUNTS.get(request.form.get("email", "").strip().lower())
    if account is None or not account.verify(request.form.get("password", "")):
        return jsonify({"error": "invalid credentials"}), 401
    return jsonify({"ok": True})
