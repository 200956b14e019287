# expect: PS301@9
from django.http import JsonResponse
from django.db import connection


def search(request):
    term = request.GET.get("q", "")
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM products WHERE title LIKE '%" + term + "%'")
        rows = cursor.fetchall()
    return JsonResponse({"ids": [r[0] for r in rows]})
