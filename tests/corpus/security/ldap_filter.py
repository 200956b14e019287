# expect: PS309@13
import ldap
from flask import Flask, request

app = Flask(__name__)


@app.route("/lookup")
def lookup():
    user = request.args.get("user", "")
    conn = ldap.initialize("ldap://localhost")
    search_filter = "(uid=" + user + ")"
    results = conn.search_s("dc=example,dc=com", ldap.SCOPE_SUBTREE, search_filter)
    return {"count": len(results)}
