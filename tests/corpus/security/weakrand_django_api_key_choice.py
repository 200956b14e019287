# expect: PS316@15
import random
import string

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.views.decorators.http import require_POST

from .models import ApiKey

KEY_ALPHABET = string.ascii_letters + string.digits


def generate_api_key(length=40):
    return "".join(random.choice(KEY_ALPHABET) for _ in range(length))


@login_required
@require_POST
def create_api_key(request):
    label = request.POST.get("label", "default")[:64]
    key = generate_api_key()
    ApiKey.objects.create(user=request.user, label=label, key_prefix=key[:8], key=key)
    return JsonResponse({"label": label, "key": key}, status=201)
