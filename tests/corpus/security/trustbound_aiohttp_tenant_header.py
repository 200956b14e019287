# expect: PS320@15
from aiohttp import web
from aiohttp_session import get_session, setup
from aiohttp_session.cookie_storage import EncryptedCookieStorage


async def select_tenant(request):
    session = await get_session(request)
    tenant = request.headers.get("X-Tenant-ID")
    if tenant is None:
        data = await request.post()
        tenant = data.get("tenant_id")
    if not tenant:
        raise web.HTTPBadRequest(text="tenant is required")
    session["tenant_id"] = tenant
    return web.json_response({"tenant": tenant})


async def tenant_dashboard(request):
    session = await get_session(request)
    tenant = session.get("tenant_id")
    if tenant is None:
        raise web.HTTPFound("/select-tenant")
    rows = await request.app["reports"].for_tenant(tenant)
    return web.json_response({"tenant": tenant, "reports": rows})


def create_app(secret_key: bytes, reports):
    app = web.Application()
    setup(app, EncryptedCookieStorage(secret_key))
    app["reports"] = reports
    app.router.add_post("/select-tenant", select_tenant)
    app.router.add_get("/dashboard", tenant_dashboard)
    return app
