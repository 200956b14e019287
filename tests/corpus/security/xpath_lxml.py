# expect: PS310@12
from flask import Flask, request
from lxml import etree

app = Flask(__name__)
TREE = etree.parse("users.xml")


@app.route("/find")
def find():
    name = request.args.get("name", "")
    nodes = TREE.xpath("//user[@name='" + name + "']/email/text()")
    return {"emails": [str(n) for n in nodes]}
