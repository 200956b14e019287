# expect: none
from flask import Flask, jsonify, request
from lxml import etree

app = Flask(__name__)


@app.route("/invoices/parse", methods=["POST"])
def parse_invoice():
    param = request.form.get("invoice_xml", "")

    bar = param.strip()

    parser = etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        dtd_validation=False,
        huge_tree=False,
    )
    root = etree.fromstring(bar.encode("utf-8"), parser)
    lines = [
        {"sku": item.get("sku"), "qty": int(item.get("qty", "0"))}
        for item in root.iter("line")
    ]
    return jsonify({"number": root.findtext("number"), "lines": lines})
