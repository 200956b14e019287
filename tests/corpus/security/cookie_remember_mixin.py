# expect: PS313@23
import secrets

from django.contrib.auth import authenticate, login
from django.http import HttpResponseRedirect, JsonResponse
from django.views import View

from accounts.models import RememberToken


class RememberMeMixin:
    cookie_name = "remember_me"
    cookie_age = 60 * 60 * 24 * 30

    def attach_remember_cookie(self, response, user):
        token = secrets.token_urlsafe(32)
        RememberToken.objects.create(user=user, token=token)
        response.set_cookie(
            self.cookie_name,
            token,
            max_age=self.cookie_age,
            httponly=True,
            secure=False,  # staging still runs over plain http
            samesite="Lax",
        )
        return response


class LoginView(RememberMeMixin, View):
    def post(self, request):
        user = authenticate(
            request,
            username=request.POST.get("username", ""),
            password=request.POST.get("password", ""),
        )
        if user is None:
            return JsonResponse({"error": "invalid credentials"}, status=401)
        login(request, user)
        response = HttpResponseRedirect("/dashboard/")
        if request.POST.get("remember") == "on":
            self.attach_remember_cookie(response, user)
        return response
