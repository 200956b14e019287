# expect: PS313@24, PS314@24
from django.contrib.auth import authenticate, login
from django.core import signing
from django.shortcuts import redirect, render

REMEMBER_COOKIE = "remember_me"
TWO_WEEKS = 60 * 60 * 24 * 14


def login_view(request):
    if request.method != "POST":
        return render(request, "accounts/login.html")
    user = authenticate(
        request,
        username=request.POST.get("username"),
        password=request.POST.get("password"),
    )
    if user is None:
        return render(request, "accounts/login.html", {"error": "Invalid username or password"})
    login(request, user)
    response = redirect("/dashboard/")
    if request.POST.get("remember") == "on":
        value = signing.dumps({"uid": user.pk}, salt="remember-me")
        response.set_cookie(REMEMBER_COOKIE, value, max_age=TWO_WEEKS, httponly=False)
    return response
