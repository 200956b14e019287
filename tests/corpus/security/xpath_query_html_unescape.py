# expect: PS310@17
import html

from flask import Flask, request
from lxml import etree

app = Flask(__name__)
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
CATALOG = etree.parse("data/catalog.xml", PARSER)


@app.route("/catalog/price")
def price():
    raw = request.args.get("title", "")
    title = html.unescape(raw)
    expr = "/catalog/book[title='" + title + "']/price/text()"
    prices = CATALOG.xpath(expr)
    return {"title": title, "price": str(prices[0]) if prices else None}
