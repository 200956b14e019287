# expect: PS316@19
import random
import string

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.views.decorators.http import require_POST

from developers.models import ApiKey


class ApiKeyFactory:
    alphabet = string.ascii_lowercase + string.digits

    def __init__(self, prefix="sk_live_"):
        self.prefix = prefix

    def new_key(self):
        body = "".join(random.choices(self.alphabet, k=32))
        return self.prefix + body


@login_required
@require_POST
def create_api_key(request):
    label = request.POST.get("label", "default")[:64]
    key = ApiKeyFactory().new_key()
    ApiKey.objects.create(owner=request.user, label=label, key=key)
    return JsonResponse({"label": label, "key": key}, status=201)
