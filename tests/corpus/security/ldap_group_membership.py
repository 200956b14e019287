# expect: PS309@21
import ldap
from django.conf import settings
from django.http import JsonResponse


class GroupDirectory:
    def __init__(self, uri, base):
        self.uri = uri
        self.base = base

    def _bind(self):
        conn = ldap.initialize(self.uri)
        conn.simple_bind_s(settings.LDAP_BIND_DN, settings.LDAP_BIND_PASSWORD)
        return conn

    def groups_for(self, username):
        flt = "(&(objectClass=posixGroup)(memberUid=%s))" % username
        conn = self._bind()
        try:
            results = conn.search_s(self.base, ldap.SCOPE_SUBTREE, flt, ["cn"])
        finally:
            conn.unbind_s()
        return [attrs["cn"][0].decode() for _dn, attrs in results if "cn" in attrs]


directory = GroupDirectory("ldap://ldap.example.org", "ou=groups,dc=example,dc=org")


def user_groups(request):
    username = request.GET.get("user", "")
    if not username:
        return JsonResponse({"groups": []})
    return JsonResponse({"user": username, "groups": directory.groups_for(username)})
