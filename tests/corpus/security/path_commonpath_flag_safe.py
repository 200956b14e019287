# expect: none
import os

from flask import Flask, request

app = Flask(__name__)
ROOT = os.path.realpath("/srv/static")


@app.route("/static-file")
def static_file():
    path = os.path.realpath(os.path.join(ROOT, request.args["path"]))
    try:
        inside = os.path.commonpath([ROOT, path]) == ROOT
    except ValueError:
        inside = False
    if not inside:
        return "outside the static folder", 400
    with open(path, "rb") as handle:
        return handle.read()
