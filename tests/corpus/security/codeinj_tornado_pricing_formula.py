# expect: PS303@17
import math

import tornado.web

MATH_NAMES = {name: getattr(math, name) for name in ("sqrt", "log", "ceil", "floor", "pi")}


class FormulaEvaluator:
    """Evaluates admin-defined pricing formulas such as 'base * qty * 0.9'."""

    def __init__(self, variables):
        self.variables = dict(MATH_NAMES)
        self.variables.update(variables)

    def evaluate(self, formula):
        return eval(formula, {"__builtins__": {}}, self.variables)


class PricingPreviewHandler(tornado.web.RequestHandler):
    def get(self):
        formula = self.get_argument("formula")
        try:
            base = float(self.get_argument("base", "100"))
            qty = int(self.get_argument("qty", "1"))
        except ValueError:
            raise tornado.web.HTTPError(400, "base and qty must be numeric")
        evaluator = FormulaEvaluator({"base": base, "qty": qty})
        try:
            price = evaluator.evaluate(formula)
        except Exception as exc:
            self.set_status(400)
            self.write({"error": str(exc)})
            return
        self.write({"formula": formula, "price": round(float(price), 2)})


def make_app():
    return tornado.web.Application([(r"/pricing/preview", PricingPreviewHandler)])
