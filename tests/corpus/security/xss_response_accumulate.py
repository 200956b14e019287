# expect: PS307@14
from flask import Flask, request

app = Flask(__name__)


def init(app):
    @app.route("/bench", methods=["POST"])
    def bench():
        RESPONSE = ""
        param = request.headers.get("X-Bench", "")
        bar = param.strip()
        RESPONSE += f"Result: {bar}<br/>"
        return RESPONSE
