from services.repository import Repository


class OrderService:
    def __init__(self, repository: Repository):
        self.repository = repository

    def lookup(self, term):
        return self.repository.search(term)

    def lookup_safe(self, term):
        return self.repository.search_safe(term)
