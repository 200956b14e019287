# expect: none
from fastapi import FastAPI, Query
from fastapi.responses import HTMLResponse
from jinja2 import DictLoader, Environment

app = FastAPI()

TEMPLATES = {
    "profile.html": (
        "<html><body>"
        "<h1>{{ user.name }}</h1>"
        "<p class='bio'>{{ user.bio }}</p>"
        "</body></html>"
    )
}
env = Environment(loader=DictLoader(TEMPLATES), autoescape=True)


@app.get("/preview", response_class=HTMLResponse)
def preview_profile(
    name: str = Query(..., max_length=64),
    bio: str = Query("", max_length=500),
):
    template = env.get_template("profile.html")
    return template.render(user={"name": name, "bio": bio})
