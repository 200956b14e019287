# expect: none
from urllib.parse import quote

import requests
from flask import Flask, request, jsonify

app = Flask(__name__)
API_BASE = "https://api.github.com"
FIELDS = ("login", "name", "public_repos", "followers")


def github_user(login):
    url = f"{API_BASE}/users/{quote(login, safe='')}"
    return requests.get(url, timeout=5, headers={"Accept": "application/vnd.github+json"})


@app.route("/integrations/github/profile")
def github_profile():
    login = request.args.get("login", "").strip()
    if not login:
        return jsonify({"error": "login is required"}), 400
    try:
        resp = github_user(login)
    except requests.RequestException:
        return jsonify({"error": "github unavailable"}), 502
    if resp.status_code == 404:
        return jsonify({"error": "no such user"}), 404
    data = resp.json()
    return jsonify({key: data.get(key) for key in FIELDS})
