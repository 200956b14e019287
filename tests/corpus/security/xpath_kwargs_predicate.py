# expect: PS310@20
from flask import Flask, jsonify, request
from lxml import etree

app = Flask(__name__)
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)
CATALOG = etree.parse("data/catalog.xml", _PARSER)


def _predicate(**attrs):
    return " and ".join("@%s='%s'" % (name, value) for name, value in attrs.items() if value)


def _books_query(**attrs):
    predicate = _predicate(**attrs)
    return "//book[%s]" % predicate if predicate else "//book"


def find_books(**attrs):
    return CATALOG.xpath(_books_query(**attrs))


@app.route("/catalog/books")
def books():
    nodes = find_books(
        author=request.args.get("author", ""),
        year=request.args.get("year", ""),
        lang=request.args.get("lang", ""),
    )
    return jsonify([
        {"title": n.findtext("title"), "author": n.get("author"), "year": n.get("year")}
        for n in nodes
    ])
