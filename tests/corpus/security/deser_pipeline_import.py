# expect: PS304@13
import yaml
from django.http import JsonResponse
from django.views.decorators.http import require_http_methods

from pipelines.models import Pipeline


class PipelineImporter:
    required_keys = ("name", "steps")

    def parse(self, text):
        document = yaml.load(text, Loader=yaml.Loader)
        if not isinstance(document, dict):
            raise ValueError("definition must be a mapping")
        missing = [k for k in self.required_keys if k not in document]
        if missing:
            raise ValueError("missing keys: %s" % ", ".join(missing))
        return document

    def save(self, document):
        return Pipeline.objects.create(name=document["name"], steps=document["steps"])


@require_http_methods(["POST"])
def import_pipeline(request):
    upload = request.FILES.get("definition")
    if upload is None:
        return JsonResponse({"error": "no file uploaded"}, status=400)
    importer = PipelineImporter()
    try:
        document = importer.parse(upload.read().decode("utf-8"))
    except (ValueError, yaml.YAMLError) as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    pipeline = importer.save(document)
    return JsonResponse({"id": pipeline.id, "steps": len(document["steps"])})
