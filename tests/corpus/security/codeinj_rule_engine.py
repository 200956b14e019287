# expect: PS303@12
from django.http import JsonResponse
from django.views import View


class DiscountRuleEngine:
    def __init__(self):
        self.namespace = {}

    def load_rule(self, name, condition):
        source = f"def {name}(order):\n    return {condition}\n"
        code = compile(source, f"<rule {name}>", "exec")
        exec(code, self.namespace)
        return self.namespace[name]


SAMPLE_ORDERS = [
    {"total": 120.0, "items": 3, "country": "DE"},
    {"total": 15.5, "items": 1, "country": "US"},
    {"total": 64.0, "items": 2, "country": "FR"},
]


class RuleTestView(View):
    def post(self, request):
        condition = request.POST.get("condition", "False")
        engine = DiscountRuleEngine()
        rule = engine.load_rule("candidate_rule", condition)
        matches = [o for o in SAMPLE_ORDERS if rule(o)]
        return JsonResponse({"matched": len(matches), "orders": matches})
