# expect: none
import secrets

from aiohttp import web

SESSIONS = {}


async def authenticate(app, username, password):
    return await app["user_store"].verify(username, password)


async def login(request):
    form = await request.post()
    user = await authenticate(request.app, form.get("username", ""), form.get("password", ""))
    if user is None:
        raise web.HTTPUnauthorized(text="invalid credentials")
    sid = secrets.token_urlsafe(32)
    SESSIONS[sid] = user.id
    resp = web.json_response({"user": user.name})
    resp.set_cookie(
        "sid", sid, max_age=8 * 3600, path="/", secure=True, httponly=True, samesite="Strict"
    )
    # UI preference read by client-side JS, carries no credential
    theme = form.get("theme", "light")
    resp.set_cookie("ui_theme", "dark" if theme == "dark" else "light", secure=True, httponly=False)
    return resp


app = web.Application()
app.router.add_post("/login", login)
