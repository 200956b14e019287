# expect: PS311@21
import requests
from django.http import JsonResponse
from django.views import View


class TenantHealthView(View):
    """Reports whether the backend named in the X-Tenant-Host header is up."""

    timeout = 3

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.tenant_host = request.META.get("HTTP_X_TENANT_HOST", "")

    def _status_url(self):
        return "https://%s/internal/health" % self.tenant_host

    def _probe(self):
        try:
            resp = requests.get(self._status_url(), timeout=self.timeout)
        except requests.RequestException as exc:
            return {"up": False, "error": exc.__class__.__name__}
        return {"up": resp.ok, "status": resp.status_code, "body": resp.text[:200]}

    def get(self, request):
        if not self.tenant_host:
            return JsonResponse({"error": "missing tenant host"}, status=400)
        return JsonResponse({"tenant": self.tenant_host, **self._probe()})
