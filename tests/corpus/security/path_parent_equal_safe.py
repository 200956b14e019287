# expect: none
from pathlib import Path

from flask import Flask, request

app = Flask(__name__)
AVATARS = Path("/var/avatars").resolve()


@app.post("/avatar")
def upload_avatar():
    target = (AVATARS / request.form["filename"]).resolve()
    if target.parent != AVATARS:
        raise ValueError("avatar names cannot contain folders")
    target.write_bytes(request.files["image"].read())
    return "ok"
