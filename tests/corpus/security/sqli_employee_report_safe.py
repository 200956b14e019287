# expect: none
from django.db import connection
from django.http import JsonResponse

SORTABLE = {"name": "e.last_name", "hired": "e.hire_date", "salary": "e.salary"}


def sort_clause(key, direction):
    column = SORTABLE.get(key, "e.last_name")
    order = "DESC" if direction == "desc" else "ASC"
    return "ORDER BY {} {}".format(column, order)


def employees_report(request):
    dept = request.GET.get("dept", "")
    sort = request.GET.get("sort", "name")
    direction = request.GET.get("dir", "asc")
    sql = (
        "SELECT e.id, e.first_name, e.last_name, e.hire_date "
        "FROM hr_employee e JOIN hr_department d ON d.id = e.department_id "
        "WHERE d.code = %s "
    ) + sort_clause(sort, direction)
    with connection.cursor() as cursor:
        cursor.execute(sql, [dept])
        columns = [c[0] for c in cursor.description]
        rows = [dict(zip(columns, row)) for row in cursor.fetchall()]
    return JsonResponse({"employees": rows})
