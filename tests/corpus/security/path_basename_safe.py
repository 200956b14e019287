# expect: none
import os

from flask import Flask, request

app = Flask(__name__)
BASE = "/srv/files"


@app.route("/download")
def download():
    name = os.path.basename(request.args.get("file", ""))
    with open(os.path.join(BASE, name), "rb") as handle:
        return handle.read()
