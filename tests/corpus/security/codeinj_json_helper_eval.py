# expect: PS303@26
from flask import Flask, jsonify, request

app = Flask(__name__)


class FormulaHolder:
    def __init__(self):
        self.formula = ""

    def load(self, value):
        self.formula = value.strip()
        return self

    def get(self):
        return self.formula


@app.route("/calc", methods=["POST"])
def calc():
    param = request.get_json()["formula"]

    holder = FormulaHolder().load(param)
    bar = holder.get()

    result = eval(bar)
    return jsonify({"result": result})
