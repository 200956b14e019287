# expect: PS309@31
import os

from flask import Flask, jsonify, request
from ldap3 import SUBTREE, Connection, Server

app = Flask(__name__)

LDAP_URL = "ldaps://ldap.corp.example.com"
BASE_DN = "ou=people,dc=corp,dc=example,dc=com"


class PeopleDirectory:
    def __init__(self):
        self.server = Server(LDAP_URL, use_ssl=True)

    def _connect(self):
        return Connection(
            self.server,
            user=os.environ["LDAP_BIND_DN"],
            password=os.environ["LDAP_BIND_PASSWORD"],
            auto_bind=True,
        )

    def find(self, name, department):
        flt = "(&(objectClass=person)(|(cn=*{0}*)(sn=*{0}*))(departmentNumber={1}))".format(
            name, department
        )
        conn = self._connect()
        try:
            conn.search(BASE_DN, flt, search_scope=SUBTREE, attributes=["cn", "mail"])
            return [e.entry_attributes_as_dict for e in conn.entries]
        finally:
            conn.unbind()


@app.route("/directory/search")
def search_people():
    name = request.args.get("name", "")
    dept = request.args.get("dept", "*")
    if len(name) < 2:
        return jsonify(error="query too short"), 400
    return jsonify(results=PeopleDirectory().find(name, dept))
