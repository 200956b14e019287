# expect: PS303@21
from flask import Flask, request

app = Flask(__name__)


@app.route("/literal", methods=["POST"])
def literal():
    bar = request.form.get("v", "")
    if not bar.startswith("'") or not bar.endswith("'") or "'" in bar[1:-1]:
        return "argument must be one quoted string literal", 400
    return {"value": eval(bar)}


@app.route("/unguarded", methods=["POST"])
def unguarded():
    bar = request.form.get("v", "")
    if not bar.startswith("'"):
        return "must start with a quote", 400
    code = bar
    return {"value": eval(code)}
