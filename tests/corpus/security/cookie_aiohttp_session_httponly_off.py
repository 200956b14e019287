# expect: PS314@20
"""aiohttp app whose session cookie is readable from JavaScript.

The session itself is the cookie aiohttp_session sets: ``httponly=False`` on its storage
lets any injected script read the session id.
"""
import base64

from aiohttp import web
from aiohttp_session import get_session, setup
from aiohttp_session.cookie_storage import EncryptedCookieStorage


def make_app(secret_key: str):
    app = web.Application()
    setup(
        app,
        EncryptedCookieStorage(
            base64.urlsafe_b64decode(secret_key),
            httponly=False,
            secure=True,
        ),
    )
    app.router.add_get("/visits", visits)
    return app


async def visits(request):
    session = await get_session(request)
    session["visits"] = int(session.get("visits", 0)) + 1
    return web.json_response({"visits": session["visits"]})
