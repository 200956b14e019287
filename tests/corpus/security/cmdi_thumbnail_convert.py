# expect: PS302@21
import subprocess
from django.http import JsonResponse
from django.views.decorators.http import require_POST

MEDIA_ROOT = "/srv/media"


class ThumbnailService:
    def __init__(self, size="200x200"):
        self.size = size

    def build_command(self, source, options):
        parts = ["convert", source, "-resize", self.size]
        parts.extend(options)
        parts.append(source.rsplit(".", 1)[0] + "_thumb.jpg")
        return " ".join(parts)

    def generate(self, source, options):
        command = self.build_command(source, options)
        result = subprocess.run(command, shell=True, capture_output=True, text=True)
        return result.returncode, result.stderr


@require_POST
def make_thumbnail(request):
    name = request.POST.get("image")
    if not name:
        return JsonResponse({"error": "missing image"}, status=400)
    extra = [opt for opt in request.POST.getlist("opt") if opt]
    service = ThumbnailService()
    code, err = service.generate(f"{MEDIA_ROOT}/{name}", extra)
    return JsonResponse({"ok": code == 0, "stderr": err})
