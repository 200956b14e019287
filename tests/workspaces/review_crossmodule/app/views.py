from flask import Flask, request

from app.db import find_user, find_user_safe
from . import shell
from .files import read_report

app = Flask(__name__)


@app.route("/user")
def user():
    return str(find_user(request.args["name"]))


@app.route("/user-safe")
def user_safe():
    return str(find_user_safe(request.args["name"]))


@app.route("/report")
def report():
    return read_report(request.args["file"])


@app.route("/run")
def run():
    return shell.run_tool(request.args["cmd"])


@app.route("/version")
def version():
    return shell.run_tool("--version")
