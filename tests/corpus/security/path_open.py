# expect: PS305@14
import os

from flask import Flask, request

app = Flask(__name__)
BASE = "/srv/files"


@app.route("/download")
def download():
    name = request.args.get("file")
    path = os.path.join(BASE, name)
    with open(path, "rb") as handle:
        return handle.read()
