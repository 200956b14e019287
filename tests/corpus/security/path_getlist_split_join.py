# expect: PS305@18
import os

from flask import Flask, Response, request

app = Flask(__name__)
REPORT_DIR = "/srv/app/reports"


@app.route("/reports/view")
def view_report():
    param = request.args.getlist("file")[0]

    parts = param.split("/")
    bar = "/".join(parts)

    path = os.path.join(REPORT_DIR, bar)
    with open(path, "r", encoding="utf-8") as fh:
        body = fh.read()
    return Response(body, mimetype="text/plain")
