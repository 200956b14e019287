# expect: PS306@20
from django.contrib.auth import logout
from django.http import HttpResponseRedirect
from django.views.decorators.http import require_GET

DEFAULT_TARGETS = {"home": "/", "login": "/accounts/login/"}


def pick_target(params):
    target = params.get("return_to")
    if target:
        return target
    return DEFAULT_TARGETS.get(params.get("page", "home"), "/")


@require_GET
def logout_view(request):
    logout(request)
    destination = pick_target(request.GET)
    response = HttpResponseRedirect(destination)
    response.delete_cookie("remember_me")
    return response
