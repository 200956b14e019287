# expect: PS301@17
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from .models import Invoice


@require_GET
def invoice_list(request):
    customer = request.GET.get("customer", "")
    status = request.GET.get("status", "open")
    query = (
        "SELECT id, number, total, status FROM billing_invoice "
        "WHERE customer_ref = '%s' AND status = '%s' ORDER BY issued_at DESC"
        % (customer, status)
    )
    invoices = Invoice.objects.raw(query)
    data = [
        {"id": inv.id, "number": inv.number, "total": str(inv.total), "status": inv.status}
        for inv in invoices
    ]
    return JsonResponse({"invoices": data})
