# expect: none
import configparser
import os

from flask import Flask, request

app = Flask(__name__)


@app.route("/cfg", methods=["POST"])
def cfg():
    param = request.form.get("v", "")
    conf = configparser.ConfigParser()
    conf.add_section("s")
    conf.set("s", "keyA", "a-Value")
    conf.set("s", "keyB", param)
    bar = conf.get("s", "keyA")
    os.system("echo " + bar)
    return "ok"
