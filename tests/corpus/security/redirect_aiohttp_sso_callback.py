# expect: PS306@32
from urllib.parse import urlencode

from aiohttp import web


class TicketValidator:
    def __init__(self, session_factory):
        self.session_factory = session_factory

    async def validate(self, ticket):
        async with self.session_factory() as http:
            async with http.get(
                "https://sso.corp.example.com/serviceValidate", params={"ticket": ticket}
            ) as resp:
                if resp.status != 200:
                    return None
                return (await resp.json()).get("user")


async def sso_callback(request):
    ticket = request.query.get("ticket")
    return_to = request.query.get("return_to", "/")
    if not ticket:
        raise web.HTTPBadRequest(text="missing ticket")
    user = await request.app["validator"].validate(ticket)
    resp = web.Response(status=302)
    if user is None:
        resp.headers["Location"] = "/login?" + urlencode({"error": "sso_failed"})
        return resp
    request.app["active_users"].add(user)
    resp.headers["Location"] = return_to
    return resp
