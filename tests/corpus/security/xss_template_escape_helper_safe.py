# expect: none
import html
from string import Template

from fastapi import FastAPI, Header
from fastapi.responses import HTMLResponse, JSONResponse

app = FastAPI()

CARD = Template("""<section class="card">
  <h2>$name</h2>
  <p>$bio</p>
  <a href="/u/$handle">profile</a>
</section>""")


def _clean(value):
    return html.escape(value or "", quote=True)


def _fields(profile):
    return {key: _clean(str(val)) for key, val in profile.items()}


def render_card(profile):
    return CARD.substitute(**_fields(profile))


@app.get("/preview", response_class=HTMLResponse)
async def preview(name: str = "", bio: str = "", handle: str = ""):
    return HTMLResponse(render_card({"name": name, "bio": bio, "handle": handle}))


@app.get("/echo-agent")
async def echo_agent(user_agent: str = Header(default="")):
    return JSONResponse({"user_agent": user_agent})
