# expect: none
from django.conf import settings
from django.http import JsonResponse
from django.views import View
from ldap3 import SUBTREE, Connection, Server
from ldap3.utils.conv import escape_filter_chars


class LdapUserLookup:
    def __init__(self):
        self.server = Server(settings.LDAP_URL, use_ssl=True)

    def build_filter(self, username, email):
        parts = ["(objectClass=inetOrgPerson)"]
        if username:
            parts.append("(uid=%s)" % escape_filter_chars(username))
        if email:
            parts.append("(mail=%s)" % escape_filter_chars(email))
        return "(&" + "".join(parts) + ")"

    def search(self, username, email):
        with Connection(
            self.server, settings.LDAP_BIND_DN, settings.LDAP_BIND_PASSWORD, auto_bind=True
        ) as conn:
            conn.search(settings.LDAP_BASE_DN, self.build_filter(username, email),
                        search_scope=SUBTREE, attributes=["uid", "cn", "mail"])
            return [e.entry_attributes_as_dict for e in conn.entries]


class UserLookupView(View):
    def get(self, request):
        username = request.GET.get("username", "")
        email = request.GET.get("email", "")
        if not username and not email:
            return JsonResponse({"error": "username or email required"}, status=400)
        return JsonResponse({"users": LdapUserLookup().search(username, email)})
