# expect: PS309@19
import ldap
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse


@login_required
def find_colleagues(request):
    department = request.GET.get("department", "")
    if not department:
        return JsonResponse({"results": []})

    conn = ldap.initialize(settings.LDAP_URI)
    conn.set_option(ldap.OPT_REFERRALS, 0)
    conn.simple_bind_s(settings.LDAP_BIND_DN, settings.LDAP_BIND_PASSWORD)
    try:
        query = "(&(objectClass=person)(departmentNumber=%s))" % department
        results = conn.search_s(
            settings.LDAP_BASE_DN,
            ldap.SCOPE_SUBTREE,
            query,
            ["cn", "mail", "telephoneNumber"],
        )
    finally:
        conn.unbind_s()

    people = []
    for dn, attrs in results:
        if dn is None:
            continue
        people.append({k: [v.decode() for v in vals] for k, vals in attrs.items()})
    return JsonResponse({"results": people})
