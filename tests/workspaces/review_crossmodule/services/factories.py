from services.repository import Repository


def make_repository() -> Repository:
    return Repository()


def open_repository(path="orders.db"):
    return Repository(path)
