# expect: PS320@12
import os

from flask import Flask, abort, jsonify, request, session

app = Flask(__name__)
app.secret_key = os.environ["FLASK_SECRET_KEY"]


def remember(**values):
    for key, value in values.items():
        session[key] = value


@app.route("/profile/preferences", methods=["POST"])
def save_preferences():
    if "user_id" not in session:
        abort(401)
    remember(**request.form.to_dict())
    return jsonify({"saved": sorted(request.form.keys())})


@app.route("/admin/reports")
def admin_reports():
    if session.get("role") != "admin":
        abort(403)
    return jsonify({"reports": ["q1-revenue", "q2-revenue"]})
