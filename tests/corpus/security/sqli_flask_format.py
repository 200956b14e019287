# expect: PS301@14
from flask import Flask, request
import sqlite3

app = Flask(__name__)


@app.route("/user")
def user():
    name = request.args.get("name", "")
    conn = sqlite3.connect("app.db")
    cur = conn.cursor()
    query = "SELECT * FROM users WHERE name = '%s'" % name
    cur.execute(query)
    return {"rows": cur.fetchall()}
