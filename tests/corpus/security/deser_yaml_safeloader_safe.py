# expect: none
import yaml
from django.http import HttpResponseBadRequest, JsonResponse
from django.views.decorators.http import require_POST

from pipelines.models import Pipeline


def _read_upload(upload, limit=256 * 1024):
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValueError("file too large")
    return data.decode("utf-8")


def _parse_stages(text):
    doc = yaml.load(text, Loader=yaml.SafeLoader)
    if not isinstance(doc, dict):
        raise ValueError("top level must be a mapping")
    stages = doc.get("stages", [])
    if not isinstance(stages, list):
        raise ValueError("stages must be a list")
    return [str(s) for s in stages]


@require_POST
def upload_pipeline(request):
    upload = request.FILES.get("pipeline")
    if upload is None:
        return HttpResponseBadRequest("pipeline file required")
    try:
        stages = _parse_stages(_read_upload(upload))
        defaults = yaml.safe_load(request.POST.get("defaults") or "{}")
        if not isinstance(defaults, dict):
            raise ValueError("defaults must be a mapping")
    except (ValueError, yaml.YAMLError) as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    pipeline = Pipeline.objects.create(name=upload.name[:100], stages=stages, defaults=defaults)
    return JsonResponse({"id": pipeline.id, "stages": stages})
