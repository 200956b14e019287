# expect: PS307@11
from flask import Flask, Response, request

app = Flask(__name__)


@app.route("/greet")
def greet():
    name = request.args.get("name", "")
    other = Response("{}")
    page = Response("<h1>Hello " + name + "</h1>")
    other.mimetype = "application/json"
    page.mimetype = "text/html"
    return page
