# expect: none
from flask import Flask, request, redirect, url_for, abort

app = Flask(__name__)

NAMED_TARGETS = {
    "cart": "cart_view",
    "orders": "orders_list",
    "profile": "profile_view",
}


@app.route("/after-checkout")
def after_checkout():
    target = request.args.get("next", "cart")
    endpoint = NAMED_TARGETS.get(target)
    if endpoint is None:
        abort(400)
    return redirect(url_for(endpoint))


@app.route("/go")
def go():
    dest = request.args.get("to", "")
    app.logger.info("legacy /go link used with to=%r", dest)
    dest = url_for("cart_view")
    return redirect(dest)


@app.route("/cart")
def cart_view():
    return "cart"


@app.route("/orders")
def orders_list():
    return "orders"


@app.route("/profile")
def profile_view():
    return "profile"
