# expect: none
import random
import secrets
import string

from django.contrib.admin.views.decorators import staff_member_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from accounts.models import ApiKey, User

_sysrand = random.SystemRandom()
PASSWORD_ALPHABET = string.ascii_letters + string.digits + "!@#$%^&*"


def temporary_password(length=16):
    return "".join(_sysrand.choice(PASSWORD_ALPHABET) for _ in range(length))


def pricing_page(request):
    variant = request.COOKIES.get("ab_pricing")
    if variant not in ("a", "b"):
        variant = "a" if random.random() < 0.5 else "b"
    response = render(request, "pricing.html", {"variant": variant})
    response.set_cookie("ab_pricing", variant, max_age=60 * 60 * 24 * 30, samesite="Lax")
    return response


@staff_member_required
@require_POST
def reset_user_password(request, user_id):
    user = get_object_or_404(User, pk=user_id)
    password = temporary_password()
    user.set_password(password)
    user.save(update_fields=["password"])
    return JsonResponse({"temporary_password": password})


@staff_member_required
@require_POST
def issue_api_key(request, user_id):
    user = get_object_or_404(User, pk=user_id)
    key = ApiKey.objects.create(user=user, value=secrets.token_hex(32))
    return JsonResponse({"id": key.id, "key": key.value})
