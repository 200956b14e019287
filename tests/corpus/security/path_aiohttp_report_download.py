# expect: PS305@25
from pathlib import Path

from aiohttp import web

REPORT_ROOT = Path("/srv/reports")


class ReportLocator:
    def __init__(self, root: Path):
        self.root = root

    def locate(self, tenant: str, filename: str) -> Path:
        return self.root / tenant / "exports" / filename


async def download_report(request):
    tenant = request.match_info["tenant"]
    filename = request.query.get("file")
    if not filename:
        raise web.HTTPBadRequest(text="file parameter is required")
    path = ReportLocator(REPORT_ROOT).locate(tenant, filename)
    if not path.is_file():
        raise web.HTTPNotFound(text="no such report")
    return web.FileResponse(
        path, headers={"Content-Disposition": f'attachment; filename="{path.name}"'}
    )


app = web.Application()
app.router.add_get("/tenants/{tenant}/reports", download_report)
