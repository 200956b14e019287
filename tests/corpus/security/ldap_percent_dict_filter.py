# expect: PS309@27
import os

import ldap
from flask import Flask, jsonify, request

app = Flask(__name__)
LDAP_URI = "ldaps://ldap.corp.example.com"
BASE_DN = "ou=people,dc=corp,dc=example,dc=com"

FILTERS = {
    "uid": "(&(objectClass=inetOrgPerson)(uid=%(value)s))",
    "mail": "(&(objectClass=inetOrgPerson)(mail=%(value)s))",
}


def _connect():
    conn = ldap.initialize(LDAP_URI)
    conn.simple_bind_s("cn=reader,dc=corp,dc=example,dc=com", os.environ["LDAP_READER_PW"])
    return conn


def directory_lookup(field="uid", **criteria):
    search_filter = FILTERS[field] % criteria
    conn = _connect()
    try:
        return conn.search_s(BASE_DN, ldap.SCOPE_SUBTREE, search_filter, ["cn", "mail"])
    finally:
        conn.unbind_s()


@app.route("/directory/lookup", methods=["POST"])
def lookup():
    body = request.get_json(silent=True) or {}
    field = body.get("field", "uid")
    if field not in FILTERS:
        return jsonify({"error": "bad field"}), 400
    results = directory_lookup(field, value=str(body.get("value", "")))
    return jsonify([
        {"dn": dn, "cn": attrs.get("cn", [b""])[0].decode(), "mail": attrs.get("mail", [b""])[0].decode()}
        for dn, attrs in results
    ])
