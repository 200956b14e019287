# expect: none
import re

from fastapi import FastAPI, HTTPException
from lxml import etree

app = FastAPI()
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
_BOOKS = etree.parse("/opt/library/books.xml", _PARSER)
_ISBN_RE = re.compile(r"[0-9]{9}[0-9X]|[0-9]{13}")


@app.get("/books/{isbn}")
def get_book(isbn: str):
    isbn = isbn.replace("-", "")
    if not _ISBN_RE.fullmatch(isbn):
        raise HTTPException(status_code=400, detail="invalid ISBN")

    nodes = _BOOKS.xpath(f"/library/book[isbn='{isbn}']")
    if not nodes:
        raise HTTPException(status_code=404, detail="not found")
    book = nodes[0]
    return {
        "isbn": isbn,
        "title": book.findtext("title"),
        "author": book.findtext("author"),
    }
