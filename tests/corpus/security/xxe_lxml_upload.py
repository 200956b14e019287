# expect: PS308@14
from flask import Flask, abort, jsonify, request
from lxml import etree

app = Flask(__name__)
NS = {"inv": "urn:example:invoice"}


def _parser():
    return etree.XMLParser(resolve_entities=True, load_dtd=True, no_network=False)


def parse_invoice(data):
    root = etree.fromstring(data, parser=_parser())
    return {
        "number": root.findtext("inv:number", namespaces=NS),
        "customer": root.findtext("inv:customer/inv:name", namespaces=NS),
        "total": root.findtext("inv:total", namespaces=NS),
    }


@app.route("/invoices/import", methods=["POST"])
def import_invoice():
    upload = request.files.get("invoice")
    if upload is None or not (upload.filename or "").lower().endswith(".xml"):
        abort(400)
    try:
        summary = parse_invoice(upload.read())
    except etree.XMLSyntaxError:
        abort(400)
    return jsonify(summary)
