# expect: none
import ast

from flask import Flask, request

app = Flask(__name__)


@app.route("/parse")
def parse():
    raw = request.args.get("value", "[]")
    value = ast.literal_eval(raw)
    return {"count": len(value)}
