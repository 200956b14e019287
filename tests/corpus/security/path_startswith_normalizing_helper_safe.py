# expect: none
"""Attachment download: a small helper resolves the joined path, then a prefix check holds.

``safe_join`` returns ``os.path.realpath(...)``, so the ``..`` parts are folded away before the
``startswith`` check, as if the handler had called ``realpath`` itself.
"""
import os

from flask import Flask, abort, request

app = Flask(__name__)
ATTACHMENTS = os.path.realpath("/srv/app/attachments")


def safe_join(root, name):
    return os.path.realpath(os.path.join(root, name))


@app.route("/attachments/get")
def get_attachment():
    path = safe_join(ATTACHMENTS, request.args.get("name", ""))
    if not path.startswith(ATTACHMENTS + os.sep):
        abort(403)
    with open(path, "rb") as fh:
        return fh.read()
