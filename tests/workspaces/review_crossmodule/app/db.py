import sqlite3


def connect():
    return sqlite3.connect("app.db")


def find_user(name):
    cursor = connect().cursor()
    cursor.execute(f"SELECT * FROM users WHERE name = '{name}'")
    return cursor.fetchall()


def find_user_safe(name):
    cursor = connect().cursor()
    cursor.execute("SELECT * FROM users WHERE name = ?", (name,))
    return cursor.fetchall()
