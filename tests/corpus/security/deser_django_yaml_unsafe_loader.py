# expect: PS304@16
import yaml
from django.http import HttpResponseBadRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .models import Pipeline


@csrf_exempt
@require_POST
def import_pipeline(request):
    if request.content_type not in ("application/x-yaml", "text/yaml"):
        return HttpResponseBadRequest("expected YAML body")

    spec = yaml.load(request.body, Loader=yaml.UnsafeLoader)
    if not isinstance(spec, dict) or "name" not in spec:
        return HttpResponseBadRequest("invalid pipeline spec")

    pipeline, created = Pipeline.objects.update_or_create(
        name=spec["name"],
        defaults={"steps": spec.get("steps", []), "schedule": spec.get("schedule")},
    )
    return JsonResponse({"id": pipeline.pk, "created": created})
