# expect: none
from urllib.parse import quote

import aiohttp
from aiohttp import web

PARTNER_FEEDS = {
    "acme": "https://feeds.acme-partner.com/v1/products",
    "globex": "https://api.globex.example/catalog/items",
    "initech": "https://partners.initech.example/export",
}


async def fetch_feed(session, partner, category):
    base = PARTNER_FEEDS[partner]
    url = f"{base}/{quote(category, safe='')}" if category else base
    async with session.get(url, timeout=aiohttp.ClientTimeout(total=10)) as resp:
        resp.raise_for_status()
        return await resp.json()


async def partner_feed(request):
    partner = request.match_info["partner"]
    if partner not in PARTNER_FEEDS:
        raise web.HTTPNotFound(text="unknown partner")
    category = request.query.get("category", "")
    async with aiohttp.ClientSession() as session:
        try:
            data = await fetch_feed(session, partner, category)
        except aiohttp.ClientError as exc:
            return web.json_response({"error": str(exc)}, status=502)
    return web.json_response({"partner": partner, "items": data.get("items", [])})


app = web.Application()
app.router.add_get("/partners/{partner}/feed", partner_feed)
