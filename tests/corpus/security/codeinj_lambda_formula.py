# expect: PS303@10
from flask import Flask, jsonify, request

app = Flask(__name__)

NO_BUILTINS = {"__builtins__": {}}

EVALUATORS = {
    "number": lambda expr, env: float(expr),
    "formula": lambda expr, env: eval(expr, NO_BUILTINS, env),
    "text": lambda expr, env: str(expr),
}


def evaluate_cells(cells, env):
    results = {}
    for cell in cells:
        kind = cell.get("type", "text")
        handler = EVALUATORS.get(kind, EVALUATORS["text"])
        value = handler(cell.get("value", ""), env)
        results[cell["id"]] = value
        env[cell["id"]] = value
    return results


@app.route("/sheet/evaluate", methods=["POST"])
def evaluate_sheet():
    body = request.get_json(silent=True) or {}
    cells = [c for c in body.get("cells", []) if isinstance(c, dict) and "id" in c]
    try:
        return jsonify(evaluate_cells(cells, {}))
    except Exception as exc:
        return jsonify({"error": str(exc)}), 400
