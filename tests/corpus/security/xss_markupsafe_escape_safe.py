# expect: none
from flask import Flask, request
from markupsafe import escape

app = Flask(__name__)
INDEX = {"python": "/docs/python", "flask": "/docs/flask"}


@app.route("/search")
def search():
    term = request.args.get("q", "")
    shown = str(escape(term[:100]))
    if term.lower() in INDEX:
        body = '<p>Found: <a href="%s">%s</a></p>' % (INDEX[term.lower()], shown)
    else:
        body = "<p>No results for <b>%s</b></p>" % shown
    return body, 200, {"Content-Type": "text/html; charset=utf-8"}
