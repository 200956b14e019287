# expect: none
import os
from pathlib import Path

from flask import Flask, abort, jsonify, request
from werkzeug.utils import secure_filename

app = Flask(__name__)

AVATAR_DIR = Path("/srv/media/avatars").resolve()
ALLOWED_EXT = {".png", ".jpg", ".jpeg", ".webp"}


def destination_for(user_id, original_name):
    name = secure_filename(original_name or "")
    if not name:
        return None
    ext = os.path.splitext(name)[1].lower()
    if ext not in ALLOWED_EXT:
        return None
    candidate = (AVATAR_DIR / f"{user_id}_{name}").resolve()
    if candidate.parent != AVATAR_DIR:
        return None
    return candidate


@app.route("/users/<int:user_id>/avatar", methods=["POST"])
def upload_avatar(user_id):
    if "avatar" not in request.files:
        abort(400)
    upload = request.files["avatar"]
    dest = destination_for(user_id, upload.filename)
    if dest is None:
        abort(400, description="unsupported file name or type")
    upload.save(dest)
    return jsonify(avatar=dest.name), 201
