# expect: PS315@17, PS315@22
import hashlib
import os

from django.db import models
from django.http import JsonResponse
from django.views.decorators.http import require_POST


class LegacyAccount(models.Model):
    email = models.EmailField(unique=True)
    salt = models.CharField(max_length=32)
    password_digest = models.CharField(max_length=40)

    def set_password(self, raw_password):
        self.salt = os.urandom(16).hex()
        self.password_digest = hashlib.sha1(
            (self.salt + raw_password).encode("utf-8")
        ).hexdigest()

    def check_password(self, raw_password):
        candidate = hashlib.sha1(
            (self.salt + raw_password).encode("utf-8")
        ).hexdigest()
        return candidate == self.password_digest


@require_POST
def signup(request):
    account = LegacyAccount(email=request.POST["email"])
    account.set_password(request.POST["password"])
    account.save()
    return JsonResponse({"id": account.pk}, status=201)
