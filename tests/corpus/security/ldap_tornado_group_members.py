# expect: PS309@17
import ldap
import tornado.web

GROUP_BASE = "ou=groups,dc=example,dc=org"


class GroupService:
    def __init__(self, uri="ldap://ldap.example.org"):
        self.conn = ldap.initialize(uri)
        self.conn.simple_bind_s()

    def _group_filter(self, group_name):
        return "(&(objectClass=groupOfNames)(cn=%s))" % group_name

    def members(self, group_name):
        results = self.conn.search_s(
            GROUP_BASE, ldap.SCOPE_SUBTREE, self._group_filter(group_name), ["member"]
        )
        members = []
        for _dn, attrs in results:
            members.extend(m.decode() for m in attrs.get("member", []))
        return members


class GroupMembersHandler(tornado.web.RequestHandler):
    def initialize(self, service):
        self.service = service

    def prepare(self):
        self.group = self.get_argument("group")

    def get(self):
        try:
            members = self.service.members(self.group)
        except ldap.LDAPError as exc:
            self.set_status(502)
            self.write({"error": str(exc)})
            return
        self.write({"group": self.group, "members": members})
