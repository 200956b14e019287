# expect: PS302@17
import subprocess

from flask import Flask, request

app = Flask(__name__)


def read_param(req):
    value = req.args.get("q", "")
    return value.strip()


@app.route("/q")
def q():
    query = read_param(request)
    subprocess.call("find / -name " + query, shell=True)
    return "ok"
