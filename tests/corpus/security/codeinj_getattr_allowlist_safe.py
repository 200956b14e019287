# expect: none
import operator

from flask import Flask, abort, jsonify, request

app = Flask(__name__)

ALLOWED_OPS = {"add", "sub", "mul", "truediv", "mod"}


class Calculator:
    @staticmethod
    def apply(op_name, left, right):
        if op_name not in ALLOWED_OPS:
            raise ValueError("operation not allowed")
        func = getattr(operator, op_name)
        return func(left, right)


def _number(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("operands must be numbers")
    return value


@app.route("/calc", methods=["POST"])
def calc():
    body = request.get_json(silent=True) or {}
    try:
        left = _number(body.get("left"))
        right = _number(body.get("right"))
        result = Calculator.apply(str(body.get("op", "")), left, right)
    except (ValueError, ZeroDivisionError, OverflowError) as exc:
        abort(400, str(exc))
    return jsonify({"result": result})
