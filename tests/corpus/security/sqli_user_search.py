# expect: PS301@24
import sqlite3
from flask import Flask, request, jsonify

app = Flask(__name__)
DB_PATH = "/srv/app/data/users.db"


def get_db():
    conn = sqlite3.connect(DB_PATH)
    conn.row_factory = sqlite3.Row
    return conn


@app.route("/users/search")
def search_users():
    term = request.args.get("q", "").strip()
    if not term:
        return jsonify([])
    status = request.args.get("status", "active")
    sql = "SELECT id, username, email FROM users WHERE username LIKE '%%%s%%' AND status = '%s'" % (term, status)
    conn = get_db()
    try:
        rows = conn.execute(sql).fetchall()
    finally:
        conn.close()
    return jsonify([dict(r) for r in rows])
