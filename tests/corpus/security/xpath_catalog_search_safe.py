# expect: none
from flask import Flask, request, jsonify
from lxml import etree

app = Flask(__name__)
CATALOG = etree.parse("/srv/data/catalog.xml")
BY_AUTHOR = etree.XPath("//book[author=$author]")
BY_AUTHOR_AND_YEAR = etree.XPath("//book[author=$author and @year=$year]")


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
    if year:
        nodes = BY_AUTHOR_AND_YEAR(CATALOG, author=author, year=year)
    else:
        nodes = CATALOG.xpath("//book[author=$author]", author=author)
    return jsonify([book_summary(b) for b in nodes])
