# expect: none
from flask import Flask, abort, jsonify, request
from lxml import etree

app = Flask(__name__)


def hardened_parser():
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
    )


def extract_settings(xml_text):
    root = etree.fromstring(xml_text.encode("utf-8"), parser=hardened_parser())
    return {
        child.tag: (child.text or "").strip()
        for child in root
        if isinstance(child.tag, str)
    }


@app.route("/devices/<int:device_id>/config", methods=["POST"])
def push_config(device_id):
    xml_text = request.form.get("config_xml", "")
    if not xml_text:
        abort(400)
    try:
        settings = extract_settings(xml_text)
    except (etree.XMLSyntaxError, ValueError):
        abort(400)
    return jsonify({"device": device_id, "settings": settings})
