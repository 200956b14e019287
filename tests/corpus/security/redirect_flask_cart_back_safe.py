# expect: none
from urllib.parse import urlparse

from flask import Flask, redirect, request, session, url_for

app = Flask(__name__)


def is_local_path(target):
    if not target or not target.startswith("/"):
        return False
    if target.startswith("//") or "\\" in target:
        return False
    if any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in target):
        return False
    parsed = urlparse(target)
    return not parsed.scheme and not parsed.netloc


@app.route("/cart")
def cart():
    return {"items": session.get("cart", [])}


@app.route("/cart/add", methods=["POST"])
def add_to_cart():
    sku = request.form.get("sku", "")
    if sku.isalnum():
        session["cart"] = session.get("cart", []) + [sku]
    back = request.form.get("back", "")
    if not is_local_path(back):
        back = url_for("cart")
    return redirect(back)
