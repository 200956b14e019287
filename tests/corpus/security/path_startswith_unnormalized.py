# expect: PS305@20
"""Shared file download: the handler checks the joined path starts with the root folder.

The path is never normalized, so ``?name=../../etc/passwd`` still starts with FILES_ROOT
and the prefix check passes; only a normpath/realpath before the check would make it hold.
"""
import os

from flask import Flask, abort, request

app = Flask(__name__)
FILES_ROOT = "/srv/app/shared"


@app.route("/shared/download")
def download():
    path = os.path.join(FILES_ROOT, request.args.get("name", ""))
    if not path.startswith(FILES_ROOT):
        abort(403)
    with open(path, "rb") as fh:
        return fh.read()
