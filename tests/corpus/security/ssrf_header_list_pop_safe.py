# expect: none
import requests
from flask import Flask, jsonify, request

app = Flask(__name__)
STATUS_API = "https://status.internal.example.com/api/v1/components/"


@app.route("/health/component")
def component_health():
    param = request.headers.get("X-Component", "")

    values = ["safe"]
    values.append(param)
    values.append("database")
    values.pop(0)
    bar = values[1]

    resp = requests.get(STATUS_API + bar, timeout=3)
    return jsonify({"component": bar, "status": resp.json().get("status")})
