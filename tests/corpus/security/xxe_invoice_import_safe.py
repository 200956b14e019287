# expect: none
from flask import Flask, request, jsonify
from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException
from xml.etree.ElementTree import ParseError

app = Flask(__name__)
NS = {"inv": "urn:example:invoice"}


def parse_invoice(xml_bytes):
    root = SafeET.fromstring(xml_bytes)
    lines = [
        {"sku": item.findtext("inv:sku", namespaces=NS),
         "qty": int(item.findtext("inv:qty", default="0", namespaces=NS))}
        for item in root.findall("inv:line", NS)
    ]
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
    except (ParseError, DefusedXmlException, ValueError):
        return jsonify({"error": "malformed or forbidden XML"}), 400
    return jsonify(invoice)
