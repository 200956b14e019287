# expect: PS316@13
import random
import string

from flask import Flask, abort, jsonify, request

app = Flask(__name__)
ALPHABET = string.ascii_uppercase + string.digits
INVITES = {}


def _segment(length):
    return "".join(random.choice(ALPHABET) for _ in range(length))


def invite_codes(count, segments=3, length=4):
    for _ in range(count):
        yield "-".join(_segment(length) for _ in range(segments))


@app.route("/admin/invites", methods=["POST"])
def create_invites():
    try:
        count = int(request.form.get("count", "10"))
    except ValueError:
        count = 10
    team = request.form.get("team", "default")
    codes = list(invite_codes(max(1, min(count, 500))))
    for code in codes:
        INVITES[code] = team
    return jsonify({"team": team, "codes": codes})


@app.route("/invites/redeem", methods=["POST"])
def redeem_invite():
    code = request.form.get("code", "").strip().upper()
    team = INVITES.pop(code, None)
    if team is None:
        abort(404)
    return jsonify({"joined": team})
