# expect: PS314@29
import hashlib
import secrets

from django.contrib.auth import authenticate, login
from django.http import JsonResponse
from django.views.decorators.http import require_POST

from .models import RememberToken

THIRTY_DAYS = 30 * 24 * 3600


@require_POST
def api_login(request):
    user = authenticate(
        request,
        username=request.POST.get("username", ""),
        password=request.POST.get("password", ""),
    )
    if user is None:
        return JsonResponse({"error": "invalid credentials"}, status=401)
    login(request, user)
    response = JsonResponse({"ok": True})
    if request.POST.get("remember") == "1":
        token = secrets.token_hex(32)
        RememberToken.objects.create(user=user, token_hash=hashlib.sha256(token.encode()).hexdigest())
        # readable from JS so the SPA can show "remembered" state
        response.set_cookie("remember_token", token, max_age=THIRTY_DAYS, secure=True, httponly=False, samesite="Lax")
    return response
