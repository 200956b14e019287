# expect: PS307@17
from flask import Flask, make_response, request

app = Flask(__name__)


class Greeter:
    def do_something(self, value):
        return value.strip()[:64]


@app.route("/welcome")
def welcome():
    name = request.args.get("name", "guest")
    display = Greeter().do_something(name)
    html = f"<html><body><h1>Welcome back, {display}!</h1></body></html>"
    resp = make_response(html)
    resp.headers["Content-Type"] = "text/html; charset=utf-8"
    return resp
