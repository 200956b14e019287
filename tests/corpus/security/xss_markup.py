# expect: PS307@11
from flask import Flask, request
from markupsafe import Markup

app = Flask(__name__)


@app.route("/bio")
def bio():
    text = request.form.get("bio", "")
    safe = Markup("<div>" + text + "</div>")
    return str(safe)
