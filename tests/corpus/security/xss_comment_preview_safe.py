# expect: none
from flask import Flask, request, make_response, render_template_string
from markupsafe import Markup, escape

app = Flask(__name__)


def paragraphs(text):
    escaped = [escape(line) for line in text.splitlines() if line.strip()]
    return Markup("").join(Markup("<p>{}</p>").format(p) for p in escaped)


@app.route("/comments/preview", methods=["POST"])
def preview():
    author = request.form.get("author", "Anonymous")
    text = request.form.get("text", "")
    html = Markup("<article><h3>{}</h3>{}</article>").format(author, paragraphs(text))
    resp = make_response(str(html))
    resp.headers["Content-Type"] = "text/html; charset=utf-8"
    return resp


@app.route("/comments/thanks")
def thanks():
    name = request.args.get("name", "friend")
    return render_template_string("<p>Thanks for your comment, {{ name }}!</p>", name=name)
