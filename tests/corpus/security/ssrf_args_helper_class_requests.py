# expect: PS311@22
import requests
from flask import Flask, Response, request

app = Flask(__name__)


class PreviewTarget:
    def __init__(self, raw):
        self.raw = raw

    def url(self):
        return self.raw.strip()


@app.route("/link/preview")
def link_preview():
    param = request.args.get("url", "")

    bar = PreviewTarget(param).url()

    upstream = requests.get(bar, timeout=5, allow_redirects=True)
    snippet = upstream.text[:500]
    return Response(snippet, mimetype="text/plain")
