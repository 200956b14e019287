# expect: none
from defusedxml import ElementTree as DET
from defusedxml.common import DefusedXmlException
from fastapi import FastAPI, HTTPException, Request

app = FastAPI()
SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@app.post("/sitemaps/check")
async def check_sitemap(request: Request):
    raw = await request.body()
    try:
        root = DET.fromstring(
            raw,
            forbid_dtd=True,
            forbid_entities=True,
            forbid_external=True,
        )
    except DefusedXmlException as exc:
        raise HTTPException(status_code=400, detail=f"rejected XML: {type(exc).__name__}")
    except DET.ParseError:
        raise HTTPException(status_code=400, detail="malformed XML")

    urls = [loc.text for loc in root.findall("sm:url/sm:loc", SITEMAP_NS)]
    return {"count": len(urls), "sample": urls[:10]}
