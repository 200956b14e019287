# expect: none
import logging
import uuid
from pathlib import Path

from django.http import FileResponse, Http404, HttpResponseBadRequest, JsonResponse
from django.views.decorators.http import require_GET, require_POST

log = logging.getLogger(__name__)
UPLOAD_ROOT = Path("/srv/app/uploads").resolve()
ALLOWED_SUFFIXES = {".png", ".jpg", ".jpeg", ".pdf"}


@require_POST
def upload_attachment(request):
    upload = request.FILES.get("file")
    if upload is None:
        return HttpResponseBadRequest("file required")
    suffix = Path(upload.name).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        return HttpResponseBadRequest("unsupported file type")
    stored_name = f"{uuid.uuid4().hex}{suffix}"
    log.info("storing upload %r as %s", upload.name, stored_name)
    with open(UPLOAD_ROOT / stored_name, "wb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)
    return JsonResponse({"id": stored_name})


@require_GET
def download_attachment(request, attachment_id):
    candidate = (UPLOAD_ROOT / attachment_id).resolve()
    if not candidate.is_relative_to(UPLOAD_ROOT) or not candidate.is_file():
        raise Http404("no such attachment")
    return FileResponse(open(candidate, "rb"), as_attachment=True)
