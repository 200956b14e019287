# expect: PS310@14
from flask import Flask, jsonify, request
from lxml import etree

app = Flask(__name__)
CATALOG = etree.parse("/srv/data/catalog.xml")


def find_books(author, max_year):
    conditions = [f"author='{author}'"]
    if max_year:
        conditions.append(f"year<={max_year}")
    expr = "//book[" + " and ".join(conditions) + "]"
    nodes = CATALOG.xpath(expr)
    return [
        {"title": n.findtext("title"), "author": n.findtext("author"), "year": n.findtext("year")}
        for n in nodes
    ]


@app.route("/catalog/books")
def books():
    author = request.args.get("author")
    if not author:
        return jsonify(error="author is required"), 400
    return jsonify(books=find_books(author, request.args.get("max_year")))
