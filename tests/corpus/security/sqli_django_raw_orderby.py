# expect: PS301@26
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.http import require_GET

PAGE_SIZE = 50


@require_GET
def product_list(request):
    category = request.GET.get("category", "all")
    sort = request.GET.get("sort", "name")
    try:
        page = max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        page = 1
    offset = (page - 1) * PAGE_SIZE

    query = (
        "SELECT id, name, price FROM shop_product "
        "WHERE category = %s "
        f"ORDER BY {sort} "
        "LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, [category, PAGE_SIZE, offset])
        rows = cursor.fetchall()

    return JsonResponse(
        {"results": [{"id": r[0], "name": r[1], "price": str(r[2])} for r in rows]}
    )
