# expect: none
from flask import Flask, request, jsonify, abort
from sqlalchemy import create_engine, text

app = Flask(__name__)
engine = create_engine("postgresql://shop@db/shop")
PRODUCTS_TABLE = "products"


def build_query(with_category):
    sql = f"SELECT id, name, price FROM {PRODUCTS_TABLE} WHERE name ILIKE :pattern"
    if with_category:
        sql += " AND category = :category"
    return text(sql + " ORDER BY name LIMIT :limit")


@app.route("/products")
def products():
    name = request.args.get("name", "")
    category = request.args.get("category")
    try:
        limit = int(request.args.get("limit", "20"))
    except ValueError:
        abort(400)
    params = {"pattern": "%" + name + "%", "limit": min(limit, 100)}
    if category:
        params["category"] = category
    stmt = build_query(bool(category))
    with engine.connect() as conn:
        rows = conn.execute(stmt, params).mappings().all()
    return jsonify([dict(r) for r in rows])
