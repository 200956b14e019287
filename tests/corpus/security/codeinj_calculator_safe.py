# expect: none
import ast
import operator
from flask import Flask, request, jsonify

app = Flask(__name__)

OPERATORS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.USub: operator.neg,
}


def _eval_node(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in OPERATORS:
        return OPERATORS[type(node.op)](_eval_node(node.left), _eval_node(node.right))
    if isinstance(node, ast.UnaryOp) and type(node.op) in OPERATORS:
        return OPERATORS[type(node.op)](_eval_node(node.operand))
    raise ValueError("unsupported expression")


def safe_calculate(expression):
    tree = ast.parse(expression, mode="eval")
    return _eval_node(tree.body)


def self_test():
    sample = "2 * (3 + 4) - 6 / 3"
    assert safe_calculate(sample) == eval(sample)


@app.route("/calc")
def calc():
    expression = request.args.get("expr", "").strip()
    if len(expression) > 200:
        return jsonify({"error": "expression too long"}), 400
    try:
        result = safe_calculate(expression)
    except (ValueError, SyntaxError, ZeroDivisionError):
        return jsonify({"error": "invalid expression"}), 400
    return jsonify({"expr": expression, "result": result})


self_test()
