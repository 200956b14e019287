# expect: PS301@9
from flask import Flask, request

app = Flask(__name__)


def find_orders(db, customer):
    sql = f"SELECT id FROM orders WHERE customer = '{customer}'"
    return db.execute(sql).fetchall()


@app.route("/orders", methods=["POST"])
def orders():
    customer = request.form["customer"]
    return {"ids": find_orders(get_db(), customer)}


def get_db():
    import sqlite3

    return sqlite3.connect("x.db")
