# expect: none
from urllib.parse import urlsplit, urlunsplit

import requests
from flask import Flask, abort, jsonify, request

app = Flask(__name__)
ALLOWED_HOSTS = {"images.example-cdn.com", "static.partner-media.net"}
MAX_BYTES = 2 * 1024 * 1024


def canonical_image_url(raw):
    try:
        parts = urlsplit(raw.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme != "https" or parts.username or parts.password or port:
        return None
    host = (parts.hostname or "").lower()
    if host not in ALLOWED_HOSTS:
        return None
    return urlunsplit(("https", host, parts.path or "/", parts.query, ""))


@app.route("/avatar/import", methods=["POST"])
def import_avatar():
    url = canonical_image_url(request.form.get("image_url", ""))
    if url is None:
        abort(400, "image host not allowed")
    resp = requests.get(url, timeout=5, allow_redirects=False, stream=True)
    if resp.status_code != 200 or not resp.headers.get("Content-Type", "").startswith("image/"):
        abort(422, "not an image")
    data = resp.raw.read(MAX_BYTES + 1, decode_content=True)
    if len(data) > MAX_BYTES:
        abort(413)
    return jsonify({"bytes": len(data), "source": url})
