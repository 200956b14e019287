# expect: PS303@11, PS303@12
from jinja2 import Template, TemplateSyntaxError
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

SAMPLE_CONTEXT = {"first_name": "Ada", "order_id": "A-1042", "total": "59.90"}


def render_preview(subject_src, body_src):
    subject = Template(subject_src).render(**SAMPLE_CONTEXT)
    body = Template(body_src).render(**SAMPLE_CONTEXT)
    return subject, body


async def preview_email(request):
    data = await request.json()
    if "body" not in data:
        return JSONResponse({"error": "body is required"}, status_code=400)
    try:
        subject, body = render_preview(data.get("subject", ""), data["body"])
    except TemplateSyntaxError as exc:
        return JSONResponse({"error": str(exc), "line": exc.lineno}, status_code=422)
    return JSONResponse({"subject": subject, "body": body})


app = Starlette(
    routes=[Route("/admin/email-templates/preview", preview_email, methods=["POST"])]
)
