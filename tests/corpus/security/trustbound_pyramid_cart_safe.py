# expect: none
from pyramid.httpexceptions import HTTPBadRequest, HTTPNotFound
from pyramid.view import view_config, view_defaults

CATALOG = {101: "Espresso beans 1kg", 102: "Filter papers", 205: "Hand grinder"}
MAX_QTY = 20


def parse_line(params):
    try:
        product_id = int(params.get("product_id", ""))
        qty = int(params.get("qty", "1"))
    except ValueError:
        raise HTTPBadRequest(json_body={"error": "product_id and qty must be integers"})
    if product_id not in CATALOG:
        raise HTTPNotFound(json_body={"error": "unknown product"})
    if not 1 <= qty <= MAX_QTY:
        raise HTTPBadRequest(json_body={"error": "qty out of range"})
    return product_id, qty


@view_defaults(route_name="cart", renderer="json")
class CartViews:
    def __init__(self, request):
        self.request = request

    @view_config(request_method="POST")
    def add(self):
        product_id, qty = parse_line(self.request.params)
        cart = dict(self.request.session.get("cart", {}))
        cart[str(product_id)] = min(cart.get(str(product_id), 0) + qty, MAX_QTY)
        self.request.session["cart"] = cart
        return {"cart": cart}

    @view_config(request_method="GET")
    def show(self):
        cart = self.request.session.get("cart", {})
        return {"items": [{"name": CATALOG[int(pid)], "qty": q} for pid, q in cart.items()]}
