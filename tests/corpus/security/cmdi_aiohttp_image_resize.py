# expect: PS302@21
import asyncio
import os
import uuid

from aiohttp import web

WORK_DIR = "/var/tmp/resizer"


async def save_upload(field):
    tmp_path = os.path.join(WORK_DIR, uuid.uuid4().hex)
    with open(tmp_path, "wb") as fh:
        fh.write(field.file.read())
    return tmp_path


async def run_convert(src, size, quality):
    out_path = src + "_out.jpg"
    cmd = "convert {} -resize {} -quality {} {}".format(src, size, quality, out_path)
    proc = await asyncio.create_subprocess_shell(
        cmd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    _, err = await proc.communicate()
    return proc.returncode, out_path, err


async def resize(request):
    form = await request.post()
    image = form["image"]
    size = form.get("size", "800x600")
    quality = form.get("quality", "85")
    src = await save_upload(image)
    code, out_path, err = await run_convert(src, size, quality)
    if code != 0:
        return web.json_response({"error": err.decode(errors="replace")}, status=500)
    return web.json_response({"result": os.path.basename(out_path)})


app = web.Application(client_max_size=20 * 1024 * 1024)
app.router.add_post("/images/resize", resize)
