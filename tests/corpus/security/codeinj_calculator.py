# expect: PS303@12
import math
from flask import Flask, request, jsonify

app = Flask(__name__)
ALLOWED_NAMES = {"sqrt": math.sqrt, "pi": math.pi, "log": math.log}
HISTORY = []


def evaluate(expression):
    expression = expression.replace("^", "**")
    return eval(expression, {"__builtins__": {}}, ALLOWED_NAMES)


@app.route("/tools/calc")
def calc():
    expression = request.args.get("expr", "")
    if not expression:
        return jsonify({"error": "expr is required"}), 400
    try:
        result = evaluate(expression)
    except Exception as exc:
        return jsonify({"error": type(exc).__name__}), 400
    HISTORY.append((expression, result))
    del HISTORY[:-20]
    return jsonify({"expr": expression, "result": result})
