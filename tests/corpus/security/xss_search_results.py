# expect: PS303@18, PS307@18, PS307@21
from flask import Flask, request, make_response, render_template_string

from catalog.search import search_products

app = Flask(__name__)


def render_item(item):
    return "<li><a href='/p/{}'>{}</a></li>".format(item["id"], item["name"])


@app.route("/search")
def search():
    query = request.args.get("q", "")
    results = search_products(query)
    if not results:
        return render_template_string("<p>No results for <b>%s</b></p>" % query)
    items = "".join(render_item(r) for r in results)
    body = f"<h2>Results for {query}</h2><ul>{items}</ul>"
    resp = make_response(body)
    resp.headers["Content-Type"] = "text/html; charset=utf-8"
    return resp
