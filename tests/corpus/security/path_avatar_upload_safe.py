# expect: none
import os
import uuid
from flask import Flask, request, send_from_directory, abort, jsonify
from werkzeug.utils import secure_filename

app = Flask(__name__)
AVATAR_DIR = "/srv/uploads/avatars"
ALLOWED_EXT = {".png", ".jpg", ".jpeg", ".gif"}


@app.route("/avatars", methods=["POST"])
def upload_avatar():
    f = request.files.get("avatar")
    if f is None or not f.filename:
        abort(400)
    name = secure_filename(f.filename)
    ext = os.path.splitext(name)[1].lower()
    if ext not in ALLOWED_EXT:
        return jsonify({"error": "unsupported type"}), 400
    stored = "%s%s" % (uuid.uuid4().hex, ext)
    f.save(os.path.join(AVATAR_DIR, stored))
    return jsonify({"avatar": stored}), 201


@app.route("/avatars/<name>")
def get_avatar(name):
    return send_from_directory(AVATAR_DIR, secure_filename(name))
