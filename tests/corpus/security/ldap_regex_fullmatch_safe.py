# expect: none
import os
import re

import ldap
from flask import Flask, abort, jsonify

app = Flask(__name__)
UID_RE = re.compile(r"[a-z][a-z0-9._-]{1,31}")
GROUP_BASE = "ou=groups,dc=corp,dc=example,dc=com"
PEOPLE_BASE = "ou=people,dc=corp,dc=example,dc=com"


def _bind():
    conn = ldap.initialize("ldaps://ldap.corp.example.com")
    conn.set_option(ldap.OPT_REFERRALS, 0)
    conn.simple_bind_s(os.environ["LDAP_BIND_DN"], os.environ["LDAP_BIND_PW"])
    return conn


@app.route("/users/<uid>/groups")
def user_groups(uid):
    if not UID_RE.fullmatch(uid):
        abort(400, "invalid uid")
    member_dn = f"uid={uid},{PEOPLE_BASE}"
    search_filter = f"(&(objectClass=groupOfNames)(member={member_dn}))"
    conn = _bind()
    try:
        results = conn.search_s(GROUP_BASE, ldap.SCOPE_ONELEVEL, search_filter, ["cn"])
    finally:
        conn.unbind_s()
    groups = [attrs["cn"][0].decode("utf-8") for _, attrs in results if "cn" in attrs]
    return jsonify({"uid": uid, "groups": groups})
