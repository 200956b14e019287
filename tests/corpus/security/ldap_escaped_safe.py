# expect: none
import ldap
from ldap.filter import escape_filter_chars
from flask import Flask, request

app = Flask(__name__)


@app.route("/lookup")
def lookup():
    user = escape_filter_chars(request.args.get("user", ""))
    conn = ldap.initialize("ldap://localhost")
    results = conn.search_s("dc=example,dc=com", ldap.SCOPE_SUBTREE, f"(uid={user})")
    return {"count": len(results)}
