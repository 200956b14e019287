# expect: PS320@15
import functools

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseForbidden, JsonResponse

from billing.models import Invoice


def tenant_scoped(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        requested = request.headers.get("X-Tenant")
        if requested:
            request.session["tenant_id"] = requested
        if "tenant_id" not in request.session:
            return HttpResponseForbidden("no tenant selected")
        return view(request, *args, **kwargs)
    return wrapper


@login_required
@tenant_scoped
def invoice_list(request):
    tenant_id = request.session["tenant_id"]
    invoices = Invoice.objects.filter(tenant_id=tenant_id).order_by("-issued_at")[:50]
    return JsonResponse({
        "tenant": tenant_id,
        "invoices": [{"number": i.number, "total": str(i.total)} for i in invoices],
    })
