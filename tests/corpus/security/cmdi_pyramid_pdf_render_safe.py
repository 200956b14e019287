# expect: none
import shlex
import subprocess

from pyramid.config import Configurator
from pyramid.response import Response
from pyramid.view import view_config

WKHTMLTOPDF = "/usr/local/bin/wkhtmltopdf"
RENDER_BASE = "http://127.0.0.1:6543/"


def build_command(url_path, title, margin_mm):
    parts = [
        WKHTMLTOPDF,
        "--quiet",
        "--title", shlex.quote(title),
        "--margin-top", str(margin_mm),
        shlex.quote(RENDER_BASE + url_path.lstrip("/")),
        "-",
    ]
    return " ".join(parts)


@view_config(route_name="invoice_pdf", request_method="GET")
def invoice_pdf(request):
    invoice_id = request.matchdict["invoice_id"]
    title = request.params.get("title", "Invoice")
    try:
        margin = int(request.params.get("margin", "10"))
    except ValueError:
        margin = 10
    cmd = build_command("invoices/%s/print" % invoice_id, title, margin)
    proc = subprocess.run(cmd, shell=True, capture_output=True, timeout=60)
    if proc.returncode != 0:
        return Response("PDF rendering failed", status=500)
    return Response(body=proc.stdout, content_type="application/pdf")


def main(global_config, **settings):
    with Configurator(settings=settings) as config:
        config.add_route("invoice_pdf", "/invoices/{invoice_id}/pdf")
        config.scan()
        return config.make_wsgi_app()
