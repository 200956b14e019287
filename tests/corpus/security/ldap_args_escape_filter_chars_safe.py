# expect: none
from flask import Flask, jsonify, request
from ldap3 import SUBTREE, Connection, Server
from ldap3.utils.conv import escape_filter_chars

app = Flask(__name__)
BASE_DN = "ou=groups,dc=corp,dc=example,dc=com"


@app.route("/groups/members")
def group_members():
    param = request.args.get("group", "")

    bar = escape_filter_chars(param)

    server = Server("ldaps://ldap.corp.example.com")
    conn = Connection(server, auto_bind=True)
    conn.search(
        BASE_DN,
        "(&(objectClass=groupOfNames)(cn=" + bar + "))",
        search_scope=SUBTREE,
        attributes=["member"],
    )
    members = [str(m) for e in conn.entries for m in e.member.values]
    conn.unbind()
    return jsonify(members)
