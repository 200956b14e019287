# expect: PS305@29, PS305@34, PS305@35
import os
import zipfile

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import JsonResponse
from django.views import View

THEME_ROOT = "/srv/app/media/themes"


class ThemeImportView(LoginRequiredMixin, View):
    """Site owners upload a zip with templates and static assets for their theme."""

    def post(self, request):
        archive = request.FILES.get("theme")
        if archive is None:
            return JsonResponse({"error": "missing theme archive"}, status=400)
        self.dest = os.path.join(THEME_ROOT, "site-%d" % request.user.pk)
        os.makedirs(self.dest, exist_ok=True)
        try:
            written = self._extract(archive)
        except zipfile.BadZipFile:
            return JsonResponse({"error": "not a zip file"}, status=400)
        return JsonResponse({"files": written})

    def _extract(self, upload):
        written = []
        with zipfile.ZipFile(upload) as zf:
            for member in zf.infolist():
                if member.is_dir():
                    continue
                target = os.path.join(self.dest, member.filename)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with open(target, "wb") as out:
                    out.write(zf.read(member))
                written.append(member.filename)
        return written
