# expect: none
import aiohttp
import httpx


class SessionTransport(httpx.AsyncBaseTransport):
    """Sends httpx's outgoing requests through an aiohttp session."""

    def __init__(self, session: aiohttp.ClientSession):
        self.session = session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        reply = await self.session.request(
            method=request.method,
            url=str(request.url),
            headers=request.headers,
            data=request.content,
        )
        body = await reply.read()
        return httpx.Response(reply.status, headers=reply.headers, content=body)
