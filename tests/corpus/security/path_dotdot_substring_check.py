# expect: PS305@21
"""Theme asset download: the handler rejects names containing '../' before opening them.

The check does not stop an absolute path: os.path.join drops the base folder when the
second part starts with '/', so ?name=/etc/passwd has no '../' and is opened as is.
"""
import os

from flask import Flask, abort, request

app = Flask(__name__)
THEME_ROOT = "/srv/themes/current"


@app.route("/theme/asset")
def theme_asset():
    name = request.args.get("name", "")
    path = os.path.join(THEME_ROOT, name)
    if "../" in path or ".." in name:
        abort(400)
    with open(path, "rb") as fh:
        return fh.read(), 200, {"Content-Type": "application/octet-stream"}
