# expect: none
from starlette.datastructures import URL
from starlette.responses import PlainTextResponse, RedirectResponse


class CanonicalHostMiddleware:
    """Sends plain-HTTP visitors to the same page over HTTPS, and bare hosts to ``www.``."""

    def __init__(self, app, canonical):
        self.app = app
        self.canonical = canonical

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        url = URL(scope=scope)
        if not url.netloc:
            await PlainTextResponse("bad host", status_code=400)(scope, receive, send)
            return
        if url.scheme == "http":
            target = url.replace(scheme="https", netloc=url.hostname)
            await RedirectResponse(target, status_code=307)(scope, receive, send)
            return
        if "www." + url.netloc == self.canonical:
            moved = url.replace(netloc="www." + url.netloc)
            await RedirectResponse(url=str(moved))(scope, receive, send)
            return
        trimmed = dict(scope)
        trimmed["path"] = scope["path"].rstrip("/")
        if trimmed["path"] != scope["path"]:
            await RedirectResponse(url=str(URL(scope=trimmed)))(scope, receive, send)
            return
        await self.app(scope, receive, send)
