# expect: PS302@23
import os
import subprocess

from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse
from django.views.decorators.http import require_POST


@require_POST
def make_thumbnail(request):
    upload = request.FILES.get("image")
    if upload is None:
        return HttpResponseBadRequest("missing image")

    size = request.POST.get("size", "128x128")
    src = os.path.join(settings.MEDIA_ROOT, "uploads", os.path.basename(upload.name))
    with open(src, "wb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)

    dst = src + ".thumb.png"
    proc = subprocess.Popen(
        f"convert '{src}' -resize {size} '{dst}'",
        shell=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    _, err = proc.communicate(timeout=30)
    if proc.returncode != 0:
        return JsonResponse({"error": err.decode(errors="replace")}, status=500)
    return JsonResponse({"thumbnail": os.path.relpath(dst, settings.MEDIA_ROOT)})
