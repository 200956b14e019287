# expect: none
import hashlib

from django.http import HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from .models import PublicReport


@require_GET
def report_csv(request, slug):
    report = get_object_or_404(PublicReport, slug=slug, published=True)
    body = report.render_csv().encode("utf-8")
    # cache validator for a public document; not a security control
    etag = '"%s"' % hashlib.md5(body, usedforsecurity=False).hexdigest()
    if request.headers.get("If-None-Match") == etag:
        return HttpResponseNotModified()
    response = HttpResponse(body, content_type="text/csv")
    response["ETag"] = etag
    return response
