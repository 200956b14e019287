# expect: PS304@19
import base64
import pickle

from django.http import JsonResponse
from django.views import View


class PreferenceMixin:
    cookie_name = "ui_prefs"
    defaults = {"theme": "light", "page_size": 25}

    def load_preferences(self, request):
        raw = request.COOKIES.get(self.cookie_name)
        if not raw:
            return dict(self.defaults)
        try:
            blob = base64.urlsafe_b64decode(raw.encode("ascii"))
            prefs = pickle.loads(blob)
        except Exception:
            return dict(self.defaults)
        merged = dict(self.defaults)
        if isinstance(prefs, dict):
            merged.update(prefs)
        return merged


class BaseDashboardView(PreferenceMixin, View):
    def get_context(self, request):
        return {"prefs": self.load_preferences(request)}


class DashboardView(BaseDashboardView):
    def get(self, request):
        context = self.get_context(request)
        context["widgets"] = ["sales", "traffic", "alerts"]
        return JsonResponse(context)
