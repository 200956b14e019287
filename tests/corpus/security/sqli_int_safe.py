# expect: none
from flask import Flask, request

app = Flask(__name__)


@app.route("/item")
def item():
    item_id = int(request.args.get("id", "0"))
    db = connect()
    rows = db.execute("SELECT * FROM items WHERE id = %d" % item_id).fetchall()
    return {"rows": rows}


def connect():
    import sqlite3

    return sqlite3.connect(":memory:")
