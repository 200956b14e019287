# expect: none
import os

from flask import Flask, request
from ldap3 import SUBTREE, Connection, Server
from ldap3.utils.conv import escape_filter_chars

app = Flask(__name__)
SERVER = Server("ldaps://ldap.corp.example:636", use_ssl=True)


@app.route("/directory/email", methods=["POST"])
def find_by_email():
    email = request.form.get("email", "")
    safe_email = escape_filter_chars(email)
    search_filter = "(&(objectClass=person)(mail=%s))" % safe_email
    conn = Connection(SERVER, user=os.environ["LDAP_BIND_DN"],
                      password=os.environ["LDAP_BIND_PW"], auto_bind=True)
    conn.search("dc=corp,dc=example", search_filter, search_scope=SUBTREE,
                attributes=["cn", "telephoneNumber"])
    found = [{"cn": str(e.cn), "phone": str(e.telephoneNumber)} for e in conn.entries]
    conn.unbind()
    return {"matches": found}
