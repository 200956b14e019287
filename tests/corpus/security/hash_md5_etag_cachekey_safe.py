# expect: none
import hashlib
import json

from flask import Flask, Response, request
from werkzeug.security import check_password_hash

from catalog.cache import cache
from catalog.queries import load_products, password_hash_for

app = Flask(__name__)


def cache_key(prefix, **params):
    canonical = json.dumps(params, sort_keys=True)
    return prefix + ":" + hashlib.md5(canonical.encode("utf-8")).hexdigest()


def etag_for(body):
    return '"' + hashlib.md5(body, usedforsecurity=False).hexdigest() + '"'


@app.route("/products")
def products():
    params = {"category": request.args.get("category", ""), "page": request.args.get("page", "1")}
    key = cache_key("products", **params)
    body = cache.get(key)
    if body is None:
        body = json.dumps(load_products(**params)).encode("utf-8")
        cache.set(key, body, timeout=300)
    tag = etag_for(body)
    if request.headers.get("If-None-Match") == tag:
        return Response(status=304, headers={"ETag": tag})
    return Response(body, mimetype="application/json", headers={"ETag": tag})


@app.route("/admin/verify", methods=["POST"])
def verify_admin():
    stored = password_hash_for("admin")
    ok = stored is not None and check_password_hash(stored, request.form.get("password", ""))
    return {"ok": ok}, (200 if ok else 401)
