# expect: none
from bottle import Bottle, HTTPError, request
from lxml import etree

app = Bottle()
INVENTORY = etree.parse("/srv/data/inventory.xml")

# compiled once at import time
FIND_BY_SKU = etree.XPath("//item[@sku=$sku]")
FIND_BY_WAREHOUSE = etree.XPath("//item[@sku=$sku][stock/@warehouse=$wh]")


def stock_for(sku, warehouse=None):
    if warehouse:
        nodes = FIND_BY_WAREHOUSE(INVENTORY, sku=sku, wh=warehouse)
    else:
        nodes = FIND_BY_SKU(INVENTORY, sku=sku)
    totals = {}
    for node in nodes:
        for stock in node.iter("stock"):
            wh = stock.get("warehouse")
            totals[wh] = totals.get(wh, 0) + int(stock.get("qty", "0"))
    return totals


@app.get("/inventory/<sku>")
def inventory(sku):
    warehouse = request.query.warehouse or None
    totals = stock_for(sku, warehouse)
    if not totals:
        raise HTTPError(404, "unknown sku")
    return {"sku": sku, "stock": totals}
