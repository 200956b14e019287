# expect: PS320@12, PS320@22
from django.http import JsonResponse
from django.views.decorators.http import require_POST


@require_POST
def apply_promo(request):
    code = request.POST.get("promo", "").strip().upper()
    percent = request.POST.get("percent", "10")
    if not code:
        return JsonResponse({"error": "promo code required"}, status=400)
    request.session["promo"] = {"code": code, "percent": percent}
    return JsonResponse({"applied": code})


@require_POST
def save_preferences(request):
    saved = []
    for key, value in request.POST.items():
        if key == "csrfmiddlewaretoken":
            continue
        request.session["pref_" + key] = value
        saved.append(key)
    return JsonResponse({"saved": saved})


def cart_total(request, subtotal):
    promo = request.session.get("promo")
    if promo:
        return subtotal * (100 - float(promo["percent"])) / 100
    return subtotal
