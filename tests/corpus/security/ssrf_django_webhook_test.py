# expect: PS311@21
import json
import urllib.request

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.views.decorators.http import require_POST

from .models import Webhook


@login_required
@require_POST
def test_webhook(request):
    target = request.POST.get("target_url", "").strip()
    if not target.startswith(("http://", "https://")):
        return JsonResponse({"error": "unsupported scheme"}, status=400)

    hook = Webhook.objects.create(owner=request.user, url=target)
    payload = json.dumps({"event": "ping", "hook_id": hook.pk}).encode()
    req = urllib.request.Request(
        target, data=payload, headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        body = resp.read(2048).decode("utf-8", errors="replace")
        status = resp.status
    return JsonResponse({"status": status, "body": body})
