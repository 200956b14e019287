# expect: PS309@24
import os

from fastapi import FastAPI, Form, HTTPException
from ldap3 import Connection, Server

app = FastAPI()
SERVER = Server("ldaps://dc01.corp.example.com")
SEARCH_BASE = "dc=corp,dc=example,dc=com"
VPN_GROUPS = ["vpn-users", "staff"]


def group_clause(groups):
    return "".join(f"(memberOf=cn={g},ou=groups,{SEARCH_BASE})" for g in groups)


def user_filter(username):
    return f"(&(objectClass=user)(sAMAccountName={username})(|{group_clause(VPN_GROUPS)}))"


def find_user_dn(username):
    conn = Connection(SERVER, user=os.environ["LDAP_BIND_DN"], password=os.environ["LDAP_BIND_PW"], auto_bind=True)
    try:
        conn.search(SEARCH_BASE, user_filter(username), attributes=["cn"])
        entries = list(conn.entries)
    finally:
        conn.unbind()
    return entries[0].entry_dn if entries else None


@app.post("/vpn/login")
async def vpn_login(username: str = Form(...), password: str = Form(...)):
    dn = find_user_dn(username)
    if dn is None or not password:
        raise HTTPException(status_code=401, detail="invalid credentials")
    user_conn = Connection(SERVER, user=dn, password=password)
    if not user_conn.bind():
        raise HTTPException(status_code=401, detail="invalid credentials")
    user_conn.unbind()
    return {"status": "ok", "dn": dn}
