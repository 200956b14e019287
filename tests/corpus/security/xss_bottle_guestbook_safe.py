# expect: none
from bottle import Bottle, redirect, request, response
from markupsafe import escape

app = Bottle()
ENTRIES = []


@app.post("/guestbook")
def sign():
    name = request.forms.getunicode("name", default="anonymous")[:80]
    message = request.forms.getunicode("message", default="")[:1000]
    if message.strip():
        ENTRIES.append((name, message))
    redirect("/guestbook")


def render_entries(entries, highlight):
    rows = []
    for name, message in entries:
        css = "hl" if highlight and highlight == name else ""
        rows.append(f"<li class='{css}'><b>{escape(name)}</b>: {escape(message)}</li>")
    return "\n".join(rows)


@app.get("/guestbook")
def show():
    highlight = request.query.getunicode("highlight", default="")
    response.content_type = "text/html; charset=utf-8"
    body = render_entries(ENTRIES, highlight)
    return (
        "<html><body><h1>Guestbook</h1>"
        f"<p>Highlighting: {escape(highlight)}</p><ul>{body}</ul>"
        "<form method='post'><input name='name'><textarea name='message'></textarea>"
        "<button>Sign</button></form></body></html>"
    )
