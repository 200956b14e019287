# expect: none
import html
from django.http import HttpResponse
from django.utils.html import format_html, format_html_join


def order_status(request):
    order_ref = request.GET.get("ref", "")
    note = request.GET.get("note", "")
    lines = [("Reference", order_ref), ("Note", note), ("Status", "processing")]
    rows = format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", lines)
    body = format_html("<h1>Order {}</h1><table>{}</table>", order_ref, rows)
    return HttpResponse(body)


def flash_message(request):
    msg = request.GET.get("msg", "")
    level = request.GET.get("level", "info")
    if level not in ("info", "warning", "error"):
        level = "info"
    return HttpResponse("<p class='flash " + level + "'>" + html.escape(msg) + "</p>")
