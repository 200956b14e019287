# expect: PS310@19
import urllib.parse

from flask import Flask, jsonify, request
from lxml import etree

app = Flask(__name__)
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
CATALOG = etree.parse("/srv/app/data/catalog.xml", PARSER)


@app.route("/catalog/item")
def catalog_item():
    param = request.args.get("sku", "")

    bar = urllib.parse.unquote(param)

    expr = "/catalog/product[@sku='" + bar + "']/price/text()"
    prices = CATALOG.xpath(expr)
    return jsonify({"sku": bar, "prices": [str(p) for p in prices]})
