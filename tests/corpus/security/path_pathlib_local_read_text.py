# expect: PS305@18
"""Help pages: the page name from the URL is joined under the docs folder into a local Path,
which is then read (Path.read_text on a variable, not on an expression)."""
from pathlib import Path

from flask import Flask, abort, request

app = Flask(__name__)
DOCS = Path(__file__).parent / "docs"


@app.get("/help")
def help_page():
    page = request.args.get("page", "index")
    target = DOCS / f"{page}.md"
    if not target.exists():
        abort(404)
    text = target.read_text(encoding="utf-8")
    return {"page": page, "markdown": text}
