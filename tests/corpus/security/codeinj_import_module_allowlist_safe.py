# expect: none
"""Report exporters loaded by name, but only the names of the shipped exporters."""
import importlib

from flask import Flask, abort, request

app = Flask(__name__)
EXPORTERS = ("csv", "xlsx", "pdf")


@app.route("/reports/export")
def export_report():
    fmt = request.args.get("format", "csv")
    if fmt not in EXPORTERS:
        abort(400)
    exporter = importlib.import_module(f"exporters.{fmt}")
    return exporter.render({"rows": []})


@app.route("/reports/default")
def default_report():
    exporter = __import__("exporters.csv", fromlist=["render"])
    return exporter.render({"rows": []})
