# expect: none
from django.conf import settings
from django.http import HttpResponseRedirect, JsonResponse
from django.views import View

SUPPORTED = {code for code, _name in settings.LANGUAGES}
FALLBACK = settings.LANGUAGE_CODE


def pick_language(requested):
    if not requested:
        return None
    code = requested.strip().lower()
    return code if code in SUPPORTED else None


class LanguagePreferenceView(View):
    def post(self, request):
        lang = pick_language(request.POST.get("language"))
        if lang is None:
            return JsonResponse({"error": "unsupported language"}, status=400)
        request.session["ui_language"] = lang
        return HttpResponseRedirect("/")

    def get(self, request):
        header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
        guesses = [part.split(";")[0] for part in header.split(",")]
        detected = next((g for g in map(pick_language, guesses) if g), FALLBACK)
        current = request.session.get("ui_language", detected)
        return JsonResponse({"current": current, "detected": detected, "supported": sorted(SUPPORTED)})
