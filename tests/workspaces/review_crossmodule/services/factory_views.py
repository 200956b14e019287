from fastapi import FastAPI

from services.factories import make_repository, open_repository
from services.params import page_size, search_term

app = FastAPI()


@app.get("/chained")
def chained(q: str):
    return make_repository().search(q)


@app.get("/factory")
def factory(q: str):
    repo = open_repository()
    return repo.search(q)


@app.get("/chained-safe")
def chained_safe(q: str):
    return make_repository().search_safe(q)


def from_helper():
    term = search_term()
    return make_repository().search(term)


def from_numeric_helper():
    return make_repository().search(page_size())
