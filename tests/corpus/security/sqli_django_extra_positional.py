# expect: PS301@13
"""Report view: a column expression chosen in the UI is passed to QuerySet.extra() as its
first positional argument (``select``)."""
from django.http import JsonResponse

from .models import Order


def order_report(request):
    column = request.GET.get("column", "total")
    label = request.GET.get("label", "value")
    rows = (
        Order.objects.filter(status="paid")
        .extra(
            {label: "SELECT %s FROM shop_order_totals WHERE id = shop_order.id" % column}
        )
        .values("id", label)[:100]
    )
    return JsonResponse({"rows": list(rows)})
