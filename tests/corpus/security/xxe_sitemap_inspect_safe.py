# expect: none
from fastapi import FastAPI, HTTPException, Request
from lxml import etree

app = FastAPI()
SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def make_parser():
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
    )


@app.post("/sitemaps/inspect")
async def inspect_sitemap(request: Request):
    body = await request.body()
    if not body:
        raise HTTPException(status_code=400, detail="empty body")
    try:
        root = etree.fromstring(body, parser=make_parser())
    except etree.XMLSyntaxError:
        raise HTTPException(status_code=400, detail="invalid XML")
    urls = [loc.text for loc in root.iterfind("sm:url/sm:loc", SITEMAP_NS)]
    return {"count": len(urls), "sample": urls[:5]}
