# expect: PS320@16
import json
import os

from flask import Flask, request, session

app = Flask(__name__)
app.secret_key = os.environ["FLASK_SECRET_KEY"]


@app.route("/tenant/select")
def select_tenant():
    tenant = request.headers.get("X-Tenant-Id", "")
    envelope = json.dumps({"tenant": tenant, "source": "header"})
    decoded = json.loads(envelope)
    session["tenant_id"] = decoded["tenant"]
    return {"tenant": decoded["tenant"]}
