# expect: PS307@25
from aiohttp import web

PAGE = """<!doctype html>
<html><head><title>Portal</title></head>
<body>{banner}<main>{content}</main></body></html>"""


def banner_for(display_name):
    if not display_name:
        return "<div class='banner'>Welcome, guest!</div>"
    return f"<div class='banner'>Welcome back, {display_name}!</div>"


def section_block(section, items):
    lis = "".join(f"<li>{item}</li>" for item in items)
    return "<h2>Section: " + section + "</h2><ul>" + lis + "</ul>"


async def home(request):
    display_name = request.cookies.get("display_name", "")
    section = request.query.get("section", "news")
    items = request.app["sections"].get(section, [])
    html = PAGE.format(banner=banner_for(display_name), content=section_block(section, items))
    return web.Response(text=html, content_type="text/html")


app = web.Application()
app["sections"] = {"news": ["Office closed Friday"], "events": ["Hackathon"]}
app.router.add_get("/", home)
