# expect: PS310@27
from flask import Flask, request, jsonify
from lxml import etree

app = Flask(__name__)
CATALOG = etree.parse("/srv/data/catalog.xml")


def book_summary(node):
    return {
        "title": node.findtext("title"),
        "author": node.findtext("author"),
        "isbn": node.get("isbn"),
        "year": node.get("year"),
    }


@app.route("/catalog/books")
def books_by_author():
    author = request.args.get("author", "")
    year = request.args.get("year")
    if not author:
        return jsonify([])
    expr = "//book[author='%s']" % author
    if year:
        expr = "//book[author='%s' and @year='%s']" % (author, year)
    nodes = CATALOG.xpath(expr)
    return jsonify([book_summary(b) for b in nodes])
