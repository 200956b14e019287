# expect: none
import hashlib
import os

from flask import Flask, request

from myapp.storage import save_password_record

app = Flask(__name__)
ITERATIONS = 600_000


@app.route("/account/password", methods=["POST"])
def change_password():
    param = request.form.get("new_password", "")

    bar = param.replace("\x00", "")
    if len(bar) < 12:
        return {"error": "password too short"}, 400

    salt = os.urandom(16)
    derived = hashlib.pbkdf2_hmac("sha256", bar.encode("utf-8"), salt, ITERATIONS)
    record = "pbkdf2_sha256$%d$%s$%s" % (ITERATIONS, salt.hex(), derived.hex())
    save_password_record(request.form.get("user_id"), record)
    return {"updated": True}
