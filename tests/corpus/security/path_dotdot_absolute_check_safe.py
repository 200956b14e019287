# expect: none
"""Log viewer: a name with no ``..`` that is not absolute stays inside the log folder."""
import os

from flask import Flask, abort, request

app = Flask(__name__)
LOG_ROOT = "/var/log/app"


@app.route("/logs/view")
def view_log():
    name = request.args.get("name", "")
    if ".." in name or name.startswith("/"):
        abort(400)
    with open(os.path.join(LOG_ROOT, name), encoding="utf-8") as fh:
        return fh.read(), 200, {"Content-Type": "text/plain"}


@app.route("/logs/tail")
def tail_log():
    name = request.args.get("name", "")
    if ".." not in name and not name.startswith("/"):
        with open(os.path.join(LOG_ROOT, name), encoding="utf-8") as fh:
            return fh.read()[-4096:]
    abort(400)
