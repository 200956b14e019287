# expect: none
import os

from flask import Flask, request

app = Flask(__name__)


@app.route("/write", methods=["POST"])
def write():
    bar = request.form.get("name", "")
    base_dir = os.path.realpath("/srv/data")
    file_name = os.path.realpath(os.path.join(base_dir, bar))
    if os.path.commonpath([base_dir, file_name]) != base_dir:
        return "invalid path", 400
    with open(file_name, "w") as handle:
        handle.write("x")
    return "ok"
