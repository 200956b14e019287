# expect: PS305@24
"""Attachment download through a helper that only joins: the prefix check proves nothing.

``join_under`` returns ``os.path.join(...)`` without normalizing, so ``?name=../../etc/passwd``
still starts with the folder name.
"""
import os

from flask import Flask, abort, request

app = Flask(__name__)
ATTACHMENTS = "/srv/app/attachments"


def join_under(root, name):
    return os.path.join(root, name)


@app.route("/attachments/raw")
def raw_attachment():
    path = join_under(ATTACHMENTS, request.args.get("name", ""))
    if not path.startswith(ATTACHMENTS):
        abort(403)
    with open(path, "rb") as fh:
        return fh.read()
