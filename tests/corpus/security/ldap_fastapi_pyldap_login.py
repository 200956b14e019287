# expect: PS309@23
import os

import ldap
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

app = FastAPI()
LDAP_URI = "ldaps://ldap.internal:636"
BASE_DN = "ou=users,dc=internal"


class LoginRequest(BaseModel):
    username: str
    password: str


@app.post("/auth/ldap")
def ldap_login(body: LoginRequest):
    svc = ldap.initialize(LDAP_URI)
    svc.simple_bind_s(os.environ["LDAP_SVC_DN"], os.environ["LDAP_SVC_PW"])
    search_filter = f"(&(objectClass=inetOrgPerson)(uid={body.username}))"
    results = svc.search_s(BASE_DN, ldap.SCOPE_SUBTREE, search_filter, ["cn", "memberOf"])
    svc.unbind_s()
    if not results:
        raise HTTPException(status_code=401, detail="unknown user")
    user_dn, attrs = results[0]
    conn = ldap.initialize(LDAP_URI)
    try:
        conn.simple_bind_s(user_dn, body.password)
    except ldap.INVALID_CREDENTIALS:
        raise HTTPException(status_code=401, detail="bad password")
    finally:
        conn.unbind_s()
    groups = [g.decode("utf-8") for g in attrs.get("memberOf", [])]
    return {"dn": user_dn, "groups": groups}
