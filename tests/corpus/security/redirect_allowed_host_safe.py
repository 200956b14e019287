# expect: none
from django.conf import settings
from django.contrib.auth import authenticate, login
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme


def _safe_next(request, candidate):
    if candidate and url_has_allowed_host_and_scheme(
        candidate,
        allowed_hosts={request.get_host()},
        require_https=request.is_secure(),
    ):
        return candidate
    return settings.LOGIN_REDIRECT_URL


def login_view(request):
    next_url = request.POST.get("next") or request.GET.get("next", "")
    if request.method != "POST":
        return render(request, "accounts/login.html", {"next": next_url})
    user = authenticate(
        request,
        username=request.POST.get("username", ""),
        password=request.POST.get("password", ""),
    )
    if user is None:
        context = {"next": next_url, "error": True}
        return render(request, "accounts/login.html", context, status=401)
    login(request, user)
    return HttpResponseRedirect(_safe_next(request, next_url))
