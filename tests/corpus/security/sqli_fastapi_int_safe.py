# expect: none
from fastapi import FastAPI
import sqlite3

app = FastAPI()


@app.get("/items/{item_id}")
def read_item(item_id: int):
    conn = sqlite3.connect("x.db")
    row = conn.execute(f"SELECT * FROM items WHERE id = {item_id}").fetchone()
    return {"row": row}
