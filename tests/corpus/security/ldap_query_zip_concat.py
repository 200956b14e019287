# expect: PS309@22
import os

from flask import Flask, request
from ldap3 import SUBTREE, Connection, Server

app = Flask(__name__)
LDAP_SERVER = Server("ldap://ldap.corp.example:389")
BASE_DN = "ou=people,dc=corp,dc=example"


@app.route("/directory/lookup")
def lookup():
    uid = request.args.get("uid", "")
    dept = "engineering"
    parts = []
    for attr, value in zip(("uid", "departmentNumber"), (uid, dept)):
        parts.append("(" + attr + "=" + value + ")")
    search_filter = "(&" + "".join(parts) + ")"
    conn = Connection(LDAP_SERVER, user=os.environ["LDAP_BIND_DN"],
                      password=os.environ["LDAP_BIND_PW"], auto_bind=True)
    conn.search(BASE_DN, search_filter, search_scope=SUBTREE, attributes=["cn", "mail"])
    results = [{"cn": str(e.cn), "mail": str(e.mail)} for e in conn.entries]
    conn.unbind()
    return {"results": results}
