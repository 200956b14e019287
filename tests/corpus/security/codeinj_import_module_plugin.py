# expect: PS303@17, PS303@24
"""Report exporters loaded by name: the request names the module to import.

Importing runs the module's top-level code, so ``?format=os`` is harmless but any module on
the path (or one an attacker uploaded next to the app) is executed on request.
"""
import importlib

from flask import Flask, jsonify, request

app = Flask(__name__)


@app.route("/reports/export")
def export_report():
    fmt = request.args.get("format", "csv")
    exporter = importlib.import_module(f"exporters.{fmt}")
    return exporter.render({"rows": []})


@app.route("/reports/plugin")
def run_plugin():
    name = request.args.get("plugin", "")
    plugin = __import__(name)
    return jsonify(plugin.describe())
