# expect: none
from aiohttp import web
from lxml import etree

HARDENED_PARSER = etree.XMLParser(
    resolve_entities=False,
    load_dtd=False,
    no_network=True,
    dtd_validation=False,
    huge_tree=False,
)


class OrderXmlReader:
    def __init__(self, payload: bytes):
        self.root = etree.fromstring(payload, parser=HARDENED_PARSER)

    def items(self):
        return [
            {"sku": el.get("sku"), "qty": int(el.get("qty", "1"))}
            for el in self.root.iter("item")
        ]


async def submit_order(request):
    payload = await request.read()
    try:
        reader = OrderXmlReader(payload)
    except etree.XMLSyntaxError as exc:
        return web.json_response({"error": str(exc)}, status=400)
    items = reader.items()
    return web.json_response({"accepted": len(items), "items": items}, status=201)


app = web.Application()
app.router.add_post("/orders.xml", submit_order)
