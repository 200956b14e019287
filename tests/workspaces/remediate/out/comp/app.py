import subprocess

import yaml
from flask import Flask, request

app = Flask(__name__)


@app.route("/load")
def load():
    return str(yaml.load(request.data))


@app.route("/run")
def run():
    return subprocess.check_output("ls " + request.args["d"], shell=True)
