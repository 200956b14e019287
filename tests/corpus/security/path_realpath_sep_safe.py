# expect: none
import os

from flask import Flask, abort, jsonify, send_file

app = Flask(__name__)
REPORT_ROOT = os.path.realpath("/srv/app/reports")


def resolve_inside(root, *parts):
    candidate = os.path.realpath(os.path.join(root, *parts))
    if not candidate.startswith(root + os.sep):
        return None
    return candidate


@app.route("/reports/<path:name>")
def get_report(name):
    path = resolve_inside(REPORT_ROOT, name)
    if path is None or not os.path.isfile(path):
        abort(404)
    return send_file(path, as_attachment=True)


@app.route("/reports/list/<folder>")
def list_reports(folder):
    directory = resolve_inside(REPORT_ROOT, folder)
    if directory is None or not os.path.isdir(directory):
        abort(404)
    entries = sorted(
        entry for entry in os.listdir(directory)
        if os.path.isfile(os.path.join(directory, entry))
    )
    return jsonify({"folder": folder, "files": entries})
