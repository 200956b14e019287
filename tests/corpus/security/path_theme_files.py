# expect: PS305@16, PS305@27
import os
from django.conf import settings
from django.http import JsonResponse
from django.views import View

THEMES_DIR = os.path.join(settings.BASE_DIR, "themes")


class ThemeFileView(View):
    def get(self, request):
        theme = request.GET.get("theme", "default")
        name = request.GET.get("name", "style.css")
        full = "%s/%s/%s" % (THEMES_DIR, theme, name)
        try:
            with open(full, encoding="utf-8") as fh:
                content = fh.read()
        except FileNotFoundError:
            return JsonResponse({"error": "not found"}, status=404)
        return JsonResponse({"name": name, "content": content})

    def delete(self, request):
        theme = request.GET.get("theme", "default")
        name = request.GET.get("name")
        if not name:
            return JsonResponse({"error": "name required"}, status=400)
        os.remove(os.path.join(THEMES_DIR, theme, name))
        return JsonResponse({"deleted": name})
