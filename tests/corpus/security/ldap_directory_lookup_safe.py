# expect: none
from flask import Flask, request, jsonify
from ldap3 import Server, Connection, SUBTREE
from ldap3.utils.conv import escape_filter_chars

app = Flask(__name__)
LDAP_URL = "ldaps://ldap.corp.example.com"
BASE_DN = "ou=people,dc=corp,dc=example,dc=com"


def ldap_connection():
    server = Server(LDAP_URL, use_ssl=True)
    return Connection(server, user="cn=reader,dc=corp,dc=example,dc=com",
                      password=app.config["LDAP_PASSWORD"], auto_bind=True)


@app.route("/directory/lookup")
def lookup():
    uid = escape_filter_chars(request.args.get("uid", ""))
    dept = request.args.get("dept")
    search_filter = f"(&(objectClass=inetOrgPerson)(uid={uid}))"
    if dept:
        dept = escape_filter_chars(dept)
        search_filter = f"(&(objectClass=inetOrgPerson)(uid={uid})(departmentNumber={dept}))"
    conn = ldap_connection()
    try:
        conn.search(BASE_DN, search_filter, search_scope=SUBTREE, attributes=["cn", "mail", "telephoneNumber"])
        people = [{"cn": str(e.cn), "mail": str(e.mail)} for e in conn.entries]
    finally:
        conn.unbind()
    return jsonify(people)
