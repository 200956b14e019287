# expect: none
import configparser
import os

from flask import Flask, Response, request

app = Flask(__name__)
TEMPLATE_DIR = "/srv/app/letter_templates"


@app.route("/letters/preview")
def letter_preview():
    param = request.headers.get("X-Template", "")

    conf = configparser.ConfigParser(interpolation=None)
    conf.add_section("templates")
    conf.set("templates", "default_name", "welcome.txt")
    conf.set("templates", "requested_name", param)
    bar = conf.get("templates", "default_name")

    path = os.path.join(TEMPLATE_DIR, bar)
    with open(path, "r", encoding="utf-8") as fh:
        text = fh.read()
    return Response(text, mimetype="text/plain")
