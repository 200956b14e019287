# expect: PS305@15
from pathlib import Path

from flask import Flask, request

app = Flask(__name__)
REPORTS = Path("/srv/reports")


@app.route("/report")
def report():
    path = REPORTS / request.args.get("name", "")
    try:
        path.relative_to(REPORTS)  # lexical: "../etc/passwd" passes
        return path.read_text()
    except ValueError:
        return "no such report", 404
