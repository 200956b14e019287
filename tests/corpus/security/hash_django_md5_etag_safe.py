# expect: none
import hashlib
from pathlib import Path

from django.http import HttpResponse, HttpResponseNotModified
from django.views.decorators.http import require_GET

STATIC_BUNDLE = Path("/srv/app/static/dist/app.bundle.js")


@require_GET
def bundle(request):
    content = STATIC_BUNDLE.read_bytes()
    etag = '"%s"' % hashlib.md5(content, usedforsecurity=False).hexdigest()
    if request.headers.get("If-None-Match") == etag:
        return HttpResponseNotModified()

    response = HttpResponse(content, content_type="application/javascript")
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=300"
    return response
