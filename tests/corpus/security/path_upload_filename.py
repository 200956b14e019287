# expect: PS305@18
import os

from flask import Flask, request

app = Flask(__name__)
UPLOAD_ROOT = "/var/www/uploads"


@app.route("/avatar", methods=["POST"])
def upload_avatar():
    f = request.files.get("avatar")
    if f is None or not f.filename:
        return {"error": "no file"}, 400
    user_dir = "%s/%s" % (UPLOAD_ROOT, "avatars")
    destination = "%s/%s" % (user_dir, f.filename)
    data = f.read()
    with open(destination, "wb") as out:
        out.write(data)
    return {"stored": os.path.basename(destination)}
