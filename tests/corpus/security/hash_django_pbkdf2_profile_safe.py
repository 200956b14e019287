# expect: none
import hashlib
import hmac
import os

from django.http import JsonResponse
from django.views import View

PBKDF2_ROUNDS = 600_000


def hash_password(password, salt=None):
    salt = salt or os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, PBKDF2_ROUNDS)
    return f"pbkdf2_sha256${PBKDF2_ROUNDS}${salt.hex()}${digest.hex()}"


def verify_password(password, encoded):
    _algo, rounds, salt_hex, digest_hex = encoded.split("$")
    candidate = hashlib.pbkdf2_hmac(
        "sha256", password.encode("utf-8"), bytes.fromhex(salt_hex), int(rounds)
    )
    return hmac.compare_digest(candidate.hex(), digest_hex)


def gravatar_url(email):
    # Gravatar's lookup key is defined as md5 of the address; not a secret
    key = hashlib.md5(email.strip().lower().encode("utf-8")).hexdigest()
    return f"https://www.gravatar.com/avatar/{key}?d=identicon"


class ProfileView(View):
    def post(self, request):
        from accounts.models import Account

        email = request.POST.get("email", "")
        password = request.POST.get("password", "")
        if len(password) < 10:
            return JsonResponse({"error": "password too short"}, status=400)
        account = Account.objects.create(email=email, password_hash=hash_password(password))
        return JsonResponse({"id": account.pk, "avatar": gravatar_url(email)}, status=201)
