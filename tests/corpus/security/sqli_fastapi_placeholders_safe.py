# expect: none
import sqlite3
from typing import Optional

from fastapi import Depends, FastAPI, HTTPException, Query

app = FastAPI()


def get_conn():
    conn = sqlite3.connect("/srv/data/users.db")
    try:
        yield conn
    finally:
        conn.close()


@app.get("/users")
def find_users(
    email: Optional[str] = Query(None, max_length=254),
    status: str = Query("active"),
    conn: sqlite3.Connection = Depends(get_conn),
):
    sql = "SELECT id, email, status FROM users WHERE status = ?"
    params = [status]
    if email:
        sql += " AND email LIKE ?"
        params.append("%" + email + "%")
    cur = conn.execute(sql, params)
    rows = cur.fetchall()
    if not rows:
        raise HTTPException(status_code=404, detail="no users")
    return [{"id": r[0], "email": r[1], "status": r[2]} for r in rows]
