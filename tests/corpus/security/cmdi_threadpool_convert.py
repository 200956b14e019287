# expect: PS302@9
import subprocess

from starlette.concurrency import run_in_threadpool
from starlette.responses import PlainTextResponse


def make_thumbnail(name):
    subprocess.run(f"convert uploads/{name} -resize 64x64 thumbs/{name}", shell=True)


async def thumbnail(request):
    name = request.query_params["name"]
    await run_in_threadpool(make_thumbnail, name)
    return PlainTextResponse("done")
