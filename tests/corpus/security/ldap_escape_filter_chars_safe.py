# expect: none
import os

from django.http import HttpResponseBadRequest, JsonResponse
from django.views.decorators.http import require_GET
from ldap3 import SUBTREE, Connection, Server
from ldap3.utils.conv import escape_filter_chars

SERVER = Server("ldaps://ldap.corp.example.com")
PEOPLE_BASE = "ou=people,dc=corp,dc=example,dc=com"


def _clause(attribute, value):
    return "({}={})".format(attribute, escape_filter_chars(value))


def build_filter(**criteria):
    clauses = "".join(_clause(attr, val) for attr, val in criteria.items() if val)
    return "(&(objectClass=inetOrgPerson){})".format(clauses)


@require_GET
def people_search(request):
    surname = request.GET.get("sn", "")
    department = request.GET.get("department", "")
    if not surname and not department:
        return HttpResponseBadRequest("give sn or department")
    search_filter = build_filter(sn=surname, departmentNumber=department)
    conn = Connection(SERVER, user=os.environ["LDAP_BIND_DN"], password=os.environ["LDAP_BIND_PW"], auto_bind=True)
    try:
        conn.search(PEOPLE_BASE, search_filter, search_scope=SUBTREE, attributes=["cn", "mail"], size_limit=50)
        results = [{"cn": str(e.cn), "mail": str(e.mail)} for e in conn.entries]
    finally:
        conn.unbind()
    return JsonResponse({"results": results})
