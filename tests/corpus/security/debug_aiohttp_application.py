# expect: PS318@14
"""aiohttp service started with debug mode on: tracebacks and internals reach clients."""
from aiohttp import web


async def health(request):
    return web.json_response({"ok": True})


async def orders(request):
    return web.json_response({"orders": []})


app = web.Application(debug=True)
app.router.add_get("/health", health)
app.router.add_get("/orders", orders)

if __name__ == "__main__":
    web.run_app(app, port=8080)
