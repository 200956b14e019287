# expect: PS308@10
from flask import Flask, request
from lxml import etree

app = Flask(__name__)


@app.route("/upload", methods=["POST"])
def upload():
    tree = etree.fromstring(request.data)
    return {"tag": tree.tag}
