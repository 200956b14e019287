# expect: none
import sqlite3

from flask import Flask, request

app = Flask(__name__)


@app.route("/audit/recent")
def recent_audit():
    tenant = request.headers.get("X-Tenant", "")
    lookup = {}
    lookup["header_tenant"] = tenant
    lookup["default_tenant"] = "public"
    selected = lookup.get("default_tenant")
    sql = "SELECT ts, action FROM audit_log WHERE tenant = '" + selected + "' LIMIT 50"
    conn = sqlite3.connect("audit.db")
    try:
        rows = conn.execute(sql).fetchall()
    finally:
        conn.close()
    return {"events": [{"ts": ts, "action": action} for ts, action in rows]}
