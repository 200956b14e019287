# expect: none
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from jinja2 import Environment

app = FastAPI()
env = Environment(autoescape=True)
PROFILE_TEMPLATE = env.from_string(
    "<html><body><h2>{{ display_name }}</h2><p>{{ bio }}</p></body></html>"
)


@app.get("/profiles/preview", response_class=HTMLResponse)
def preview_profile(display_name: str = "", bio: str = ""):
    html = PROFILE_TEMPLATE.render(display_name=display_name, bio=bio)
    return HTMLResponse(content=html)
