# expect: PS307@32
import html

from flask import Flask, request

app = Flask(__name__)

PAGE = """<!doctype html>
<html><head><title>Search</title></head>
<body>
<h1>Results for {query}</h1>
<ul class="tags">{tags}</ul>
</body></html>"""


def render_tag(tag):
    return '<li><a href="/tags/%(slug)s">%(label)s</a></li>' % {
        "slug": tag.lower().replace(" ", "-"),
        "label": tag,
    }


def render_tags(raw):
    return "".join(render_tag(t.strip()) for t in raw.split(",") if t.strip())


@app.route("/search")
def search():
    query = html.escape(request.args.get("q", ""))
    tags = request.args.get("tags", "")
    page = PAGE.format(query=query, tags=render_tags(tags))
    return page
