# expect: PS308@11
from flask import Flask, request, jsonify
from lxml import etree

app = Flask(__name__)
NS = {"inv": "urn:example:invoice"}
PARSER = etree.XMLParser(load_dtd=True, resolve_entities=True, no_network=False)


def parse_invoice(xml_bytes):
    root = etree.fromstring(xml_bytes, PARSER)
    lines = []
    for item in root.findall("inv:line", NS):
        lines.append({
            "sku": item.findtext("inv:sku", namespaces=NS),
            "qty": int(item.findtext("inv:qty", default="0", namespaces=NS)),
        })
    return {
        "number": root.get("number"),
        "customer": root.findtext("inv:customer", namespaces=NS),
        "lines": lines,
    }


@app.route("/invoices/import", methods=["POST"])
def import_invoice():
    if not request.data:
        return jsonify({"error": "empty body"}), 400
    try:
        invoice = parse_invoice(request.data)
    except (etree.XMLSyntaxError, ValueError):
        return jsonify({"error": "malformed invoice"}), 400
    return jsonify(invoice)
