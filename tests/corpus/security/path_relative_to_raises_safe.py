# expect: none
from pathlib import Path

from flask import Flask, request

app = Flask(__name__)
REPORTS = Path("/srv/reports").resolve()


@app.route("/report")
def report():
    path = None
    try:
        path = (REPORTS / request.args.get("name", "")).resolve()
        path.relative_to(REPORTS)
    except ValueError:
        return "no such report", 404
    with open(path, encoding="utf-8") as handle:
        return handle.read()
