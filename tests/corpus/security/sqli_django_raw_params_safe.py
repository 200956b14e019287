# expect: none
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from shop.models import Product


@require_GET
def product_search(request):
    term = request.GET.get("q", "")
    min_price = request.GET.get("min_price", "0")
    products = Product.objects.filter(name__icontains=term)
    products = products.extra(where=["price >= %s"], params=[min_price])
    data = [{"id": p.id, "name": p.name} for p in products[:50]]
    return JsonResponse({"results": data})


@require_GET
def products_by_tag(request, tag):
    sql = (
        "SELECT p.* FROM shop_product p "
        "JOIN shop_product_tags t ON t.product_id = p.id "
        "WHERE t.tag = %s ORDER BY p.name"
    )
    products = Product.objects.raw(sql, [tag])
    return JsonResponse({"results": [p.name for p in products]})


@require_GET
def sales_total(request):
    region = request.GET.get("region", "")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT SUM(amount) FROM shop_sale WHERE region = %s", [region]
        )
        (total,) = cursor.fetchone()
    return JsonResponse({"region": region, "total": total or 0})
