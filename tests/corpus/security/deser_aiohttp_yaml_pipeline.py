# expect: PS304@16
from dataclasses import dataclass, field

import yaml
from aiohttp import web


@dataclass
class PipelineSpec:
    name: str
    steps: list = field(default_factory=list)
    schedule: str = "@daily"


def parse_spec(text):
    doc = yaml.load(text, Loader=yaml.Loader)
    return PipelineSpec(
        name=doc["name"],
        steps=list(doc.get("steps", [])),
        schedule=doc.get("schedule", "@daily"),
    )


async def upload_pipeline(request):
    form = await request.post()
    upload = form.get("spec")
    if upload is None:
        raise web.HTTPBadRequest(text="spec file is required")
    text = upload.file.read().decode("utf-8")
    try:
        spec = parse_spec(text)
    except (yaml.YAMLError, KeyError, TypeError) as exc:
        return web.json_response({"error": str(exc)}, status=400)
    request.app["pipelines"][spec.name] = spec
    return web.json_response({"name": spec.name, "steps": len(spec.steps)})


app = web.Application()
app["pipelines"] = {}
app.router.add_post("/pipelines", upload_pipeline)
