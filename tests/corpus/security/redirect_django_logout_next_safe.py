# expect: none
from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View


class SignOutView(View):
    fallback = "/"

    def _safe_target(self, request, candidate):
        allowed = {request.get_host(), *getattr(settings, "TRUSTED_REDIRECT_HOSTS", ())}
        if candidate and url_has_allowed_host_and_scheme(
            url=candidate, allowed_hosts=allowed, require_https=request.is_secure()
        ):
            return candidate
        return self.fallback

    def post(self, request):
        next_url = request.POST.get("next") or request.META.get("HTTP_REFERER", "")
        logout(request)
        return HttpResponseRedirect(self._safe_target(request, next_url))

    def get(self, request):
        return HttpResponseRedirect(self._safe_target(request, request.GET.get("next")))
