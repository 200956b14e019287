# expect: PS303@16
import functools

from flask import Flask, jsonify, request

app = Flask(__name__)

ROWS = [
    {"sku": "A-100", "price": 12.5, "qty": 4},
    {"sku": "B-200", "price": 3.0, "qty": 40},
    {"sku": "C-300", "price": 99.0, "qty": 1},
]


def _compile_transform(source):
    return eval("lambda row: " + source)


def with_row_transform(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        rows = view(*args, **kwargs)
        expr = request.headers.get("X-Row-Transform")
        if expr:
            transform = _compile_transform(expr)
            rows = [dict(row, computed=transform(row)) for row in rows]
        return jsonify(rows)
    return wrapper


@app.route("/report/stock")
@with_row_transform
def stock_report():
    return [dict(r) for r in ROWS]
