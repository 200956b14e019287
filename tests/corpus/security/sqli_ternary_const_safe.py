# expect: none
import sqlite3

from flask import Flask, jsonify, request

app = Flask(__name__)


def get_db():
    return sqlite3.connect("/var/lib/app/orders.db")


@app.route("/orders/lookup", methods=["POST"])
def orders_lookup():
    param = request.form.get("customer", "")

    bar = "guest" if (7 * 42) - 86 > 200 else param

    conn = get_db()
    try:
        cur = conn.cursor()
        cur.execute("SELECT id, total FROM orders WHERE customer = '" + bar + "'")
        rows = cur.fetchall()
    finally:
        conn.close()
    return jsonify([{"id": r[0], "total": r[1]} for r in rows])
