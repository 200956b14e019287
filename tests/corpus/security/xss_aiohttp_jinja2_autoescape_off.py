# expect: PS307@22
"""aiohttp app whose templates are set up with autoescaping switched off.

aiohttp_jinja2 escapes by default; ``autoescape=False`` passes through to the Jinja2
environment, so every ``{{ comment }}`` in the templates is written into HTML as is.
"""
import aiohttp_jinja2
import jinja2
from aiohttp import web


@aiohttp_jinja2.template("comments.html")
async def comments(request):
    return {"comment": request.query.get("comment", "")}


def make_app():
    app = web.Application()
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader("templates"),
        autoescape=False,
    )
    app.router.add_get("/comments", comments)
    return app
