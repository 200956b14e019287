# expect: none
from flask import Blueprint, abort, redirect, request, session, url_for
from flask_login import current_user, login_required

bp = Blueprint("settings", __name__, url_prefix="/settings")

ALLOWED_THEMES = frozenset({"light", "dark", "high-contrast"})
ALLOWED_TIMEZONES = frozenset({"UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo"})


@bp.route("/display", methods=["POST"])
@login_required
def update_display():
    theme = request.form.get("theme", "light")
    tz = request.form.get("timezone", "UTC")
    if theme not in ALLOWED_THEMES or tz not in ALLOWED_TIMEZONES:
        abort(400)

    session["theme"] = theme
    session["timezone"] = tz
    current_user.preferences.update(theme=theme, timezone=tz)
    return redirect(url_for("settings.display"))
