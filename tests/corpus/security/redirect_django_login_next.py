# expect: PS306@27
from django.contrib.auth import authenticate, login
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods


@require_http_methods(["GET", "POST"])
def login_view(request):
    next_url = request.GET.get("next") or request.POST.get("next") or "/"
    if request.method == "GET":
        return render(request, "accounts/login.html", {"next": next_url})

    user = authenticate(
        request,
        username=request.POST.get("username", ""),
        password=request.POST.get("password", ""),
    )
    if user is None:
        return render(
            request,
            "accounts/login.html",
            {"next": next_url, "error": "Invalid credentials"},
            status=401,
        )
    login(request, user)
    return HttpResponseRedirect(next_url)
