# expect: PS304@16
import base64
import pickle

from flask import Flask, request

app = Flask(__name__)


@app.route("/cart")
def show_cart():
    encoded = request.cookies.get("cart")
    if not encoded:
        return {"items": []}
    raw = base64.urlsafe_b64decode(encoded.encode("ascii"))
    cart = pickle.loads(raw)
    return {"items": cart.get("items", []), "coupon": cart.get("coupon")}
