# expect: none
from flask import Flask, abort, jsonify, request
from lxml import etree

app = Flask(__name__)
ORDERS = etree.parse("data/orders.xml", etree.XMLParser(resolve_entities=False, no_network=True))
STATUSES = {"open", "shipped", "cancelled"}


def order_query(order_id, status=None):
    expr = f"/orders/order[@id={order_id}]"
    if status is not None:
        expr += f"[@status='{status}']"
    return expr


@app.route("/orders/find", methods=["POST"])
def find_order():
    body = request.get_json(silent=True) or {}
    order_id = body.get("order_id")
    if isinstance(order_id, bool) or not isinstance(order_id, int):
        abort(400, "order_id must be an integer")
    status = body.get("status")
    if status is not None and (not isinstance(status, str) or status not in STATUSES):
        abort(400, "unknown status")
    nodes = ORDERS.xpath(order_query(order_id, status))
    return jsonify([
        {"id": n.get("id"), "status": n.get("status"), "total": n.findtext("total")}
        for n in nodes
    ])
