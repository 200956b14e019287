# expect: none
import shlex
import subprocess

from flask import Flask, request

app = Flask(__name__)


@app.route("/ls")
def ls():
    folder = request.args.get("dir", ".")
    listing = subprocess.check_output("ls -l " + shlex.quote(folder), shell=True)
    return listing
