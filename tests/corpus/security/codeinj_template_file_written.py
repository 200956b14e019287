# expect: PS303@22
"""Newsletter editor: the marketing team edits a template in the browser; it is stored as a
file under templates/ and rendered by Jinja for every subscriber."""
from pathlib import Path

from flask import Flask, render_template, request

app = Flask(__name__)
TEMPLATE_DIR = Path(app.root_path) / "templates" / "newsletters"


@app.get("/newsletters/<int:issue>/preview")
def preview(issue: int):
    return render_template(f"newsletters/issue_{issue}.html", name="Preview reader")


@app.post("/newsletters/<int:issue>")
def save(issue: int):
    body = request.get_json(force=True).get("html", "")
    if len(body) > 100_000:
        return {"error": "too large"}, 413
    (TEMPLATE_DIR / f"issue_{issue}.html").write_text(body, encoding="utf-8")
    return {"saved": issue}
