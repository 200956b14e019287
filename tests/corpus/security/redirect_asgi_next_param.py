# expect: PS306@11
from urllib.parse import parse_qs

from starlette.responses import RedirectResponse


class AfterLogin:
    async def __call__(self, scope, receive, send):
        query = parse_qs(scope["query_string"].decode())
        target = query.get("next", ["/"])[0]
        await RedirectResponse(target)(scope, receive, send)
