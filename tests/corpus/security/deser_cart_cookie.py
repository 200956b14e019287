# expect: PS304@13
import base64
import pickle
from flask import Flask, request, jsonify, make_response

app = Flask(__name__)


def load_cart(raw):
    if not raw:
        return []
    try:
        return pickle.loads(base64.urlsafe_b64decode(raw))
    except Exception:
        return []


def dump_cart(items):
    return base64.urlsafe_b64encode(pickle.dumps(items)).decode()


@app.route("/cart/add", methods=["POST"])
def add_to_cart():
    cart = load_cart(request.cookies.get("cart"))
    sku = request.form.get("sku", "")
    try:
        qty = int(request.form.get("qty", 1))
    except ValueError:
        qty = 1
    cart.append({"sku": sku, "qty": qty})
    resp = make_response(jsonify({"items": len(cart)}))
    resp.set_cookie("cart", dump_cart(cart), secure=True, httponly=True)
    return resp
