# expect: none
import html

from flask import Flask, render_template, request
from markupsafe import Markup

app = Flask(__name__)

ARTICLES = [
    {"slug": "intro", "title": "Introduction to queues"},
    {"slug": "retry", "title": "Retry strategies for workers"},
    {"slug": "dlq", "title": "Dead letter queues in practice"},
]


def highlight(text, term):
    escaped_text = html.escape(text)
    escaped_term = html.escape(term)
    if not escaped_term:
        return escaped_text
    return escaped_text.replace(escaped_term, f"<mark>{escaped_term}</mark>")


@app.route("/articles")
def articles():
    term = request.args.get("q", "")
    matches = [a for a in ARTICLES if term.lower() in a["title"].lower()]
    snippets = [
        {"slug": a["slug"], "title": Markup(highlight(a["title"], term))}
        for a in matches
    ]
    # templates/articles.html: <p>Results for {{ term }}</p> ... {{ s.title }}
    return render_template("articles.html", term=term, snippets=snippets)
