"""A small Flask app with one real injection, one suppressed finding and clean code."""

import os
import sqlite3

import yaml
from flask import Flask, request

app = Flask(__name__)


@app.route("/user")
def user():
    name = request.args.get("name", "")
    conn = sqlite3.connect("app.db")
    rows = conn.execute("SELECT * FROM users WHERE name = '" + name + "'").fetchall()
    return {"rows": rows}


@app.route("/ping")
def ping():
    host = request.args.get("host", "localhost")
    os.system("ping -c 1 " + host)  # protosmith: ignore[PS302] host is checked by the gateway
    return {"ok": True}


def load_settings(path):
    with open(path) as handle:
        return yaml.load(handle)
