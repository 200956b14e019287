import sqlite3


def lookup(term):
    db = sqlite3.connect("shop.db")
    return db.execute("SELECT * FROM items WHERE title LIKE '%" + term + "%'").fetchall()
