# expect: PS308@20
from flask import Flask, Response, request
from lxml import etree

app = Flask(__name__)


@app.route("/orders/import", methods=["POST"])
def import_order():
    param = request.data.decode("utf-8")

    bar = param.replace("\r\n", "\n")

    parser = etree.XMLParser(
        resolve_entities=True,
        load_dtd=True,
        no_network=False,
        dtd_validation=False,
    )
    root = etree.fromstring(bar.encode("utf-8"), parser)
    order_id = root.findtext("id", default="")
    customer = root.findtext("customer", default="")
    return Response(f"imported order {order_id} for {customer}", mimetype="text/plain")
