# expect: PS301@23
import sqlite3

from flask import Flask, jsonify, request

app = Flask(__name__)
DB_PATH = "/var/lib/app/inventory.db"


@app.route("/inventory/search")
def inventory_search():
    param = request.args.get("name", "")

    values = []
    values.append(param)
    values.append("placeholder")
    bar = values[0]

    conn = sqlite3.connect(DB_PATH)
    try:
        cur = conn.cursor()
        sql = "SELECT id, name, qty FROM items WHERE name = '" + bar + "'"
        cur.execute(sql)
        rows = cur.fetchall()
    finally:
        conn.close()
    return jsonify([{"id": r[0], "name": r[1], "qty": r[2]} for r in rows])
