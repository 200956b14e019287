# expect: PS303@21
import io

from flask import Flask, request

app = Flask(__name__)

HOOK_GLOBALS = {"__name__": "report_hook"}


@app.route("/reports/hook", methods=["GET", "POST"])
def report_hook():
    param = request.values.get("hook", "")

    buf = io.StringIO()
    buf.write(param)
    buf.seek(0)
    bar = buf.read()

    namespace = {}
    exec(bar, HOOK_GLOBALS, namespace)
    return {"defined": sorted(namespace.keys())}
