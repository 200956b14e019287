# expect: PS313@25, PS314@26
from django.contrib.auth import authenticate
from django.http import JsonResponse
from django.views.decorators.http import require_POST

from .tokens import issue_refresh_token


@require_POST
def api_login(request):
    user = authenticate(
        request,
        username=request.POST.get("username"),
        password=request.POST.get("password"),
    )
    if user is None:
        return JsonResponse({"error": "invalid credentials"}, status=401)

    refresh = issue_refresh_token(user)
    response = JsonResponse({"user_id": user.pk, "username": user.get_username()})
    response.set_cookie(
        "refresh_token",
        refresh,
        max_age=14 * 24 * 3600,
        secure=False,
        httponly=False,
        samesite="Lax",
    )
    return response
