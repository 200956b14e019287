# expect: PS320@16
from flask import Flask, request, session, redirect, url_for, abort, render_template
from flask_login import login_required

from app.models import Account

app = Flask(__name__)


@app.route("/support/switch-account", methods=["POST"])
@login_required
def switch_account():
    target = request.form.get("account_id")
    if not target:
        abort(400)
    session["acting_as"] = target
    return redirect(url_for("dashboard"))


@app.route("/dashboard")
@login_required
def dashboard():
    account_id = session.get("acting_as") or session["user_id"]
    account = Account.query.get_or_404(int(account_id))
    return render_template("dashboard.html", account=account)
