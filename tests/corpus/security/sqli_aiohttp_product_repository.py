# expect: PS301@26
import sqlite3
from dataclasses import dataclass

from aiohttp import web

DB_PATH = "/var/lib/shop/catalog.db"


@dataclass
class ProductFilter:
    category: str
    max_price: str


class ProductRepository:
    def __init__(self, path=DB_PATH):
        self.conn = sqlite3.connect(path)

    def search(self, flt: ProductFilter):
        query = (
            "SELECT id, name, price FROM products "
            f"WHERE category = '{flt.category}' AND price <= {flt.max_price} "
            "ORDER BY price"
        )
        return self.conn.execute(query).fetchall()

    def close(self):
        self.conn.close()


async def list_products(request):
    flt = ProductFilter(
        category=request.match_info["category"],
        max_price=request.query.get("max_price", "1000"),
    )
    repo = ProductRepository()
    try:
        rows = repo.search(flt)
    finally:
        repo.close()
    return web.json_response([{"id": r[0], "name": r[1], "price": r[2]} for r in rows])


app = web.Application()
app.add_routes([web.get("/products/{category}", list_products)])
