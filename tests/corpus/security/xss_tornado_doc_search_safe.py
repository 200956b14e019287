# expect: none
import html

import tornado.web

DOCS = [
    {"id": 1, "title": "Getting started"},
    {"id": 2, "title": "Configuring <proxy> settings"},
    {"id": 3, "title": "Release notes"},
]


class SearchService:
    def __init__(self, docs):
        self.docs = docs

    def search(self, term):
        needle = term.lower()
        return [d for d in self.docs if needle in d["title"].lower()]


class SearchHandler(tornado.web.RequestHandler):
    def initialize(self, service):
        self.service = service

    def get(self):
        term = self.get_argument("q", "")
        results = self.service.search(term)
        items = "".join(
            f"<li><a href='/docs/{int(d['id'])}'>{html.escape(d['title'])}</a></li>" for d in results
        )
        if not items:
            items = "<li>No matches</li>"
        heading = f"<h2>Results for &quot;{html.escape(term, quote=True)}&quot;</h2>"
        self.write("<html><body>" + heading + "<ul>" + items + "</ul></body></html>")


def make_app():
    return tornado.web.Application([(r"/search", SearchHandler, {"service": SearchService(DOCS)})])
