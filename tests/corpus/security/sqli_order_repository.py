# expect: PS301@23
import psycopg2
from fastapi import FastAPI, Query

app = FastAPI()


class OrderRepository:
    def __init__(self, dsn):
        self.dsn = dsn

    def _connect(self):
        return psycopg2.connect(self.dsn)

    def find(self, filters):
        clauses = []
        for column, value in filters.items():
            clauses.append(f"{column} = '{value}'")
        where = " AND ".join(clauses) if clauses else "TRUE"
        query = f"SELECT id, total, created_at FROM orders WHERE {where} ORDER BY created_at DESC"
        with self._connect() as conn:
            with conn.cursor() as cur:
                cur.execute(query)
                return cur.fetchall()


repo = OrderRepository("dbname=shop user=shop host=db")


@app.get("/orders")
def list_orders(customer: str = Query(...), state: str = "paid"):
    filters = {"customer_email": customer, "state": state}
    rows = repo.find(filters)
    return [
        {"id": r[0], "total": float(r[1]), "created_at": r[2].isoformat()}
        for r in rows
    ]
