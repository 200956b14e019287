# expect: PS301@24
import sqlite3

from flask import Flask, request

app = Flask(__name__)
DB_PATH = "inventory.db"


def get_db():
    conn = sqlite3.connect(DB_PATH)
    conn.row_factory = sqlite3.Row
    return conn


@app.route("/products/search")
def search_products():
    raw = request.args.get("category", "")
    # clients sometimes send "/books" instead of "books"
    category = raw[1:] if raw.startswith("/") else raw
    sql = "SELECT id, name, price FROM products WHERE category = '{}' ORDER BY name".format(category)
    conn = get_db()
    try:
        rows = conn.execute(sql).fetchall()
    finally:
        conn.close()
    return {"products": [dict(r) for r in rows]}
