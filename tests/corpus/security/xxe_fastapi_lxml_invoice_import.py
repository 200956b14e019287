# expect: PS308@14
from fastapi import FastAPI, HTTPException, Request
from lxml import etree

app = FastAPI()


def make_parser():
    # DTDs are needed for the legacy supplier format's named entities
    return etree.XMLParser(load_dtd=True, resolve_entities=True, no_network=False)


def parse_invoice(raw: bytes) -> dict:
    root = etree.fromstring(raw, parser=make_parser())
    lines = [
        {"sku": line.findtext("sku"), "qty": int(line.findtext("qty", "0"))}
        for line in root.iterfind("lines/line")
    ]
    return {
        "number": root.findtext("number"),
        "supplier": root.findtext("supplier/name"),
        "notes": root.findtext("notes"),
        "lines": lines,
    }


@app.post("/invoices/import")
async def import_invoice(request: Request):
    raw = await request.body()
    if not raw:
        raise HTTPException(status_code=400, detail="empty body")
    try:
        return parse_invoice(raw)
    except etree.XMLSyntaxError as exc:
        raise HTTPException(status_code=400, detail=str(exc))
