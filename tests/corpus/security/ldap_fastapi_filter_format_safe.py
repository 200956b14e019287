# expect: none
import ldap
from fastapi import FastAPI, HTTPException
from ldap.filter import filter_format

app = FastAPI()
LDAP_URI = "ldaps://ldap.internal.example.net"
BASE_DN = "dc=internal,dc=example,dc=net"


@app.get("/accounts/{username}")
def account_info(username: str):
    conn = ldap.initialize(LDAP_URI)
    conn.simple_bind_s()
    try:
        flt = filter_format("(&(objectClass=posixAccount)(uid=%s))", [username])
        results = conn.search_s(BASE_DN, ldap.SCOPE_SUBTREE, flt, ["uidNumber", "loginShell"])
    finally:
        conn.unbind_s()
    entries = [attrs for dn, attrs in results if dn]
    if not entries:
        raise HTTPException(status_code=404, detail="no such account")
    attrs = entries[0]
    return {
        "uid": username,
        "uidNumber": int(attrs["uidNumber"][0]),
        "shell": attrs["loginShell"][0].decode(),
    }
