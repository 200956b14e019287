# expect: none
import json

from flask import Flask, Response, request

app = Flask(__name__)


@app.route("/whoami", methods=["POST"])
def whoami():
    name = request.json["name"]
    resp = Response(json.dumps({"user": name}))
    resp.status_code = 200
    resp.mimetype = "application/json"
    return resp


@app.route("/echo", methods=["POST"])
def echo():
    reply = Response(request.get_data(as_text=True))
    reply.headers["Content-Type"] = "text/plain; charset=utf-8"
    return reply
