# expect: none
from xml.etree.ElementTree import ParseError

from defusedxml import ElementTree as DET
from defusedxml.common import DefusedXmlException
from fastapi import FastAPI, HTTPException, Request

app = FastAPI()
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def parse_sitemap(body: bytes):
    root = DET.fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    return [loc.text for loc in root.iter(SITEMAP_NS + "loc") if loc.text]


@app.post("/sitemap/validate")
async def validate_sitemap(request: Request):
    body = await request.body()
    try:
        urls = parse_sitemap(body)
    except (DefusedXmlException, ParseError) as exc:
        raise HTTPException(status_code=422, detail=f"invalid sitemap: {type(exc).__name__}")
    return {"count": len(urls), "sample": urls[:10]}
