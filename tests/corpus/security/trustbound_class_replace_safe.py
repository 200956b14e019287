# expect: none
import os

from flask import Flask, request, session

app = Flask(__name__)
app.secret_key = os.environ["FLASK_SECRET_KEY"]


class ThemePreference:
    def __init__(self):
        self.default = "light"

    def do_something(self, value):
        bar = value
        bar = self.default
        return bar


@app.route("/preferences/theme", methods=["POST"])
def set_theme():
    requested = request.form.get("theme", "")
    theme = ThemePreference().do_something(requested)
    session["theme"] = theme
    return {"theme": theme}
