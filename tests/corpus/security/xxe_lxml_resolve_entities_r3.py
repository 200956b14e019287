# expect: PS308@12
from flask import Flask, request
from lxml import etree

app = Flask(__name__)


@app.route("/api/orders/import", methods=["POST"])
def import_orders():
    text = request.get_data().decode("utf-8")
    parser = etree.XMLParser(resolve_entities=True, load_dtd=True, no_network=False)
    root = etree.fromstring(text.encode("utf-8"), parser)
    orders = []
    for order in root.findall("order"):
        orders.append({"id": order.get("id"), "note": order.findtext("note", "")})
    return {"imported": orders}
