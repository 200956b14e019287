# expect: none
from flask import Flask, jsonify, request
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, select

app = Flask(__name__)
engine = create_engine("sqlite:///customers.db")
metadata = MetaData()

customers = Table(
    "customers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(120)),
    Column("city", String(80)),
)


def build_lookup(name, city=None):
    stmt = select(customers).where(customers.c.name == name)
    if city:
        stmt = stmt.where(customers.c.city == city)
    return stmt.order_by(customers.c.id).limit(100)


@app.route("/customers/lookup", methods=["POST"])
def lookup_customer():
    payload = request.get_json(silent=True) or {}
    stmt = build_lookup(str(payload.get("name", "")), payload.get("city"))
    with engine.connect() as conn:
        rows = conn.execute(stmt).fetchall()
    return jsonify([{"id": r.id, "name": r.name, "city": r.city} for r in rows])
