# expect: none
from flask import Flask, request, send_from_directory

app = Flask(__name__)


@app.route("/get")
def get():
    return send_from_directory("/srv/files", request.args["p"])
