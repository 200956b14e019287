# expect: PS301@24
from django.db import connection
from django.http import JsonResponse
from django.views import View


class OrderReportView(View):
    """Back-office report of orders filtered by status."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.status = request.GET.get("status", "open")
        self.sort = request.GET.get("sort", "created_at")

    def _build_query(self):
        clauses = ["SELECT id, customer, total, created_at FROM orders"]
        clauses.append("WHERE status = '%s'" % self.status)
        clauses.append("ORDER BY " + self.sort)
        return " ".join(clauses)

    def get(self, request):
        sql = self._build_query()
        with connection.cursor() as cursor:
            cursor.execute(sql)
            rows = cursor.fetchall()
        orders = [
            {"id": r[0], "customer": r[1], "total": float(r[2]), "created": r[3].isoformat()}
            for r in rows
        ]
        return JsonResponse({"count": len(orders), "orders": orders})
