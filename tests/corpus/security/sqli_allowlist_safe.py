# expect: none
from flask import Flask, request, abort

app = Flask(__name__)
SORT_COLUMNS = {"name", "created", "price"}


@app.route("/products")
def products():
    column = request.args.get("sort", "name")
    if column not in SORT_COLUMNS:
        abort(400)
    db = get_db()
    rows = db.execute(f"SELECT * FROM products ORDER BY {column}").fetchall()
    return {"rows": rows}


def get_db():
    import sqlite3

    return sqlite3.connect(":memory:")
