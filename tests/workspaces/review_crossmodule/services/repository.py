import sqlite3


class Repository:
    def __init__(self, path="shop.db"):
        self.db = sqlite3.connect(path)

    def search(self, term):
        return self.db.execute("SELECT * FROM items WHERE title = '" + term + "'").fetchall()

    def search_safe(self, term):
        return self.db.execute("SELECT * FROM items WHERE title = ?", (term,)).fetchall()
