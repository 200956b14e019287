# expect: PS307@15
from flask import Flask, make_response, request

app = Flask(__name__)

PAGE = "<html><body><h1>Search</h1><p>No results for <b>%s</b></p></body></html>"


@app.route("/search")
def search():
    param = request.args.get("q", "")

    bar = param.replace("\t", " ")

    response = make_response(PAGE % bar)
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    return response
