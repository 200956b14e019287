# expect: none
import os

import pymysql
import tornado.web


class InvoiceStore:
    def __init__(self):
        self.conn = pymysql.connect(
            host="db.internal",
            user="billing",
            password=os.environ["BILLING_DB_PASSWORD"],
            database="billing",
        )

    def find(self, customer_ref, year):
        sql = (
            "SELECT id, amount, issued_at FROM invoices "
            "WHERE customer_ref = %s AND YEAR(issued_at) = %s ORDER BY issued_at"
        )
        with self.conn.cursor() as cur:
            cur.execute(sql, (customer_ref, year))
            return cur.fetchall()


class InvoiceHandler(tornado.web.RequestHandler):
    def initialize(self, store):
        self.store = store

    def prepare(self):
        self.customer_ref = self.get_argument("customer")
        try:
            self.year = int(self.get_argument("year", "2024"))
        except ValueError:
            raise tornado.web.HTTPError(400, "year must be numeric")

    def get(self):
        rows = self.store.find(self.customer_ref, self.year)
        self.write({
            "customer": self.customer_ref,
            "invoices": [
                {"id": r[0], "amount": str(r[1]), "issued": r[2].isoformat()} for r in rows
            ],
        })


def make_app():
    return tornado.web.Application([(r"/invoices", InvoiceHandler, {"store": InvoiceStore()})])
