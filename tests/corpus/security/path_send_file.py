# expect: PS305@10
from flask import Flask, request, send_file

app = Flask(__name__)


@app.route("/get")
def get():
    path = "/srv/files/" + request.args["p"]
    return send_file(path)
