# expect: none
from flask import Flask, request
from lxml import etree

app = Flask(__name__)


@app.route("/feeds/upload", methods=["POST"])
def upload_feed():
    upload = request.files["feed"]
    data = upload.read()
    parser = etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        dtd_validation=False,
        huge_tree=False,
    )
    root = etree.fromstring(data, parser)
    titles = [item.findtext("title", "") for item in root.iter("item")]
    return {"count": len(titles), "titles": titles[:20]}
