# expect: none
from flask import Flask, redirect, request, url_for

app = Flask(__name__)

PARTNER_URLS = {
    "docs": "https://docs.example.com/",
    "status": "https://status.example.com/",
    "billing": "https://billing.example.com/portal",
}


@app.route("/")
def index():
    return "home"


@app.route("/go/<key>")
def go(key):
    target = request.args.get("fallback", "")
    app.logger.info("outbound click key=%s fallback=%s", key, target)
    target = PARTNER_URLS.get(key)
    if target is None:
        target = url_for("index")
    return redirect(target, code=302)


@app.route("/profile/jump")
def profile_jump():
    try:
        user_id = int(request.args.get("id", ""))
    except ValueError:
        return redirect(url_for("index"))
    return redirect(url_for("profile", user_id=user_id))


@app.route("/profile/<int:user_id>")
def profile(user_id):
    return "profile %d" % user_id
