# expect: none
import html

from flask import Flask, request

app = Flask(__name__)


@app.route("/welcome")
def welcome():
    param = request.cookies.get("display_name", "guest")

    parts = param.split(" ")
    bar = " ".join(parts)

    safe_name = html.escape(bar, quote=True)
    return "<html><body><h2>Welcome back, " + safe_name + "!</h2></body></html>"
