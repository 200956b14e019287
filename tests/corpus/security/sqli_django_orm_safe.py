# expect: none
from django.http import JsonResponse

from .models import Product


def search(request):
    term = request.GET.get("q", "")
    products = Product.objects.raw("SELECT * FROM products WHERE title = %s", [term])
    return JsonResponse({"ids": [p.id for p in products]})
