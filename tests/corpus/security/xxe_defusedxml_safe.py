# expect: none
import defusedxml.ElementTree as ET
from flask import Flask, request

app = Flask(__name__)


@app.route("/upload", methods=["POST"])
def upload():
    root = ET.fromstring(request.data)
    return {"tag": root.tag}
