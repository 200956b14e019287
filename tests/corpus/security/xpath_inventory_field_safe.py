# expect: none
from fastapi import FastAPI, HTTPException
from lxml import etree

app = FastAPI()
INVENTORY = etree.parse("/srv/data/inventory.xml")
FIELDS = {"name", "sku", "location", "quantity"}


@app.get("/inventory/{item_id}/{field}")
def inventory_field(item_id: int, field: str):
    if field not in FIELDS:
        raise HTTPException(status_code=400, detail="unknown field")
    expr = f"/inventory/item[@id={item_id}]/{field}/text()"
    values = INVENTORY.xpath(expr)
    if not values:
        raise HTTPException(status_code=404, detail="not found")
    return {"id": item_id, field: str(values[0])}


@app.get("/inventory/low-stock")
def low_stock(threshold: str = "5"):
    try:
        limit = int(threshold)
    except ValueError:
        raise HTTPException(status_code=400, detail="threshold must be an integer")
    expr = "/inventory/item[number(quantity) < %d]/sku/text()" % limit
    return {"threshold": limit, "skus": [str(s) for s in INVENTORY.xpath(expr)]}
