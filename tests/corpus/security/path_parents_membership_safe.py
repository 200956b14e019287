# expect: none
from pathlib import Path

from flask import Flask, abort, request

app = Flask(__name__)
EXPORTS = Path("/srv/exports").resolve()


@app.route("/exports/<path:name>")
def export(name):
    target = (EXPORTS / name).resolve()
    if EXPORTS not in target.parents and target != EXPORTS:
        abort(404)
    return target.read_bytes()
