# expect: PS309@19
from flask import Flask, jsonify, request
from ldap3 import ALL, SUBTREE, Connection, Server

app = Flask(__name__)
LDAP_SERVER = Server("ldaps://ldap.corp.example.com", get_info=ALL)
BASE_DN = "ou=people,dc=corp,dc=example,dc=com"


@app.route("/directory/lookup", methods=["POST"])
def directory_lookup():
    param = request.form.get("uid", "")

    tokens = param.split(",")
    bar = ",".join(tokens)

    conn = Connection(LDAP_SERVER, auto_bind=True)
    search_filter = "(&(objectClass=inetOrgPerson)(uid=" + bar + "))"
    conn.search(BASE_DN, search_filter, search_scope=SUBTREE, attributes=["cn", "mail"])
    found = [{"cn": str(e.cn), "mail": str(e.mail)} for e in conn.entries]
    conn.unbind()
    return jsonify(found)
