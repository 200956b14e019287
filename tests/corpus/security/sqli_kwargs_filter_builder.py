# expect: PS301@23
import sqlite3

from flask import Flask, jsonify, request

app = Flask(__name__)
DB_PATH = "inventory.db"
ALLOWED_COLUMNS = {"category", "vendor", "status"}


def _where_clause(**filters):
    parts = []
    for column, value in filters.items():
        if column not in ALLOWED_COLUMNS:
            continue
        parts.append(f"{column} = '{value}'")
    return " AND ".join(parts) if parts else "1=1"


def _run_query(sql):
    conn = sqlite3.connect(DB_PATH)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def find_items(**filters):
    where = _where_clause(**filters)
    sql = "SELECT id, name, category FROM items WHERE " + where + " ORDER BY name"
    return _run_query(sql)


@app.route("/items")
def list_items():
    rows = find_items(**request.args.to_dict())
    return jsonify([{"id": r[0], "name": r[1], "category": r[2]} for r in rows])
