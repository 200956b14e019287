# expect: none
import secrets

from flask import Flask, jsonify, request

from myapp.store import save_invite

app = Flask(__name__)


@app.route("/teams/invite", methods=["POST"])
def invite_member():
    param = request.get_json()["email"]

    values = []
    values.append(param)
    bar = values[0]

    invite_token = secrets.token_urlsafe(32)
    save_invite(email=bar, token=invite_token)
    return jsonify({"invited": bar})
