# expect: PS302@12
import functools
import subprocess

from flask import Flask, abort, request

app = Flask(__name__)


def _run(template, target):
    command = template.format(target=target)
    result = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=20)
    return result.stdout


TOOLS = {
    "ping": functools.partial(_run, "ping -c 3 {target}"),
    "dig": functools.partial(_run, "dig +short {target}"),
    "trace": functools.partial(_run, "traceroute -m 10 {target}"),
}


@app.route("/netdiag/<tool>", methods=["POST"])
def netdiag(tool):
    handler = TOOLS.get(tool)
    if handler is None:
        abort(404)
    host = request.form.get("host", "").strip()
    if not host:
        abort(400)
    return {"tool": tool, "output": handler(host)}
