# expect: PS305@22
import mimetypes
import os

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404


@login_required
def download_attachment(request):
    name = request.GET.get("name")
    if not name:
        raise Http404("no attachment specified")

    path = os.path.normpath(os.path.join(settings.MEDIA_ROOT, "attachments", name))
    if not os.path.isfile(path):
        raise Http404("attachment not found")

    content_type, _ = mimetypes.guess_type(path)
    response = FileResponse(
        open(path, "rb"),
        content_type=content_type or "application/octet-stream",
    )
    response["Content-Disposition"] = f'attachment; filename="{os.path.basename(path)}"'
    return response
