# expect: PS320@17, PS320@18
from decimal import Decimal, InvalidOperation

from django.http import HttpResponseBadRequest, JsonResponse
from django.views.decorators.http import require_POST


@require_POST
def apply_promo(request):
    code = request.POST.get("promo_code", "").strip().upper()
    percent = request.POST.get("discount_percent", "0")
    try:
        Decimal(percent)
    except InvalidOperation:
        return HttpResponseBadRequest("bad discount")

    request.session["promo_code"] = code
    request.session["discount_percent"] = percent
    return JsonResponse({"applied": code, "discount": percent})
