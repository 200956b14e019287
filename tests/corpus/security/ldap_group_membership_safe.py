# expect: none
import re
import ldap
from ldap.filter import filter_format
from fastapi import FastAPI, HTTPException

app = FastAPI()
USERNAME_RE = re.compile(r"^[a-z][a-z0-9._-]{1,31}$")
LDAP_URI = "ldap://ldap.example.org"
GROUP_BASE = "ou=groups,dc=example,dc=org"


class GroupDirectory:
    def __init__(self, uri, base):
        self.uri = uri
        self.base = base

    def groups_for(self, username):
        flt = filter_format("(&(objectClass=posixGroup)(memberUid=%s))", [username])
        conn = ldap.initialize(self.uri)
        try:
            conn.simple_bind_s()
            results = conn.search_s(self.base, ldap.SCOPE_SUBTREE, flt, ["cn"])
        finally:
            conn.unbind_s()
        return sorted(attrs["cn"][0].decode() for _dn, attrs in results if "cn" in attrs)


directory = GroupDirectory(LDAP_URI, GROUP_BASE)


@app.get("/users/{username}/groups")
def user_groups(username: str):
    if not USERNAME_RE.match(username):
        raise HTTPException(status_code=400, detail="invalid username")
    return {"user": username, "groups": directory.groups_for(username)}
