from fastapi import Depends, FastAPI

from services.orders import OrderService
from services.repository import Repository

app = FastAPI()
shared = Repository()


def get_repository() -> Repository:
    return Repository()


@app.get("/search")
def search(q: str, repo: Repository = Depends(get_repository)):
    return repo.search(q)


@app.get("/search-safe")
def search_safe(q: str, repo: Repository = Depends(get_repository)):
    return repo.search_safe(q)


@app.get("/shared")
def shared_search(q: str):
    return shared.search(q)


@app.get("/local")
def local_search(q: str):
    repository = Repository("other.db")
    return repository.search(q)


@app.get("/orders")
def orders(q: str):
    service = OrderService(Repository())
    return service.lookup(q)


@app.get("/orders-safe")
def orders_safe(q: str):
    service = OrderService(Repository())
    return service.lookup_safe(q)
