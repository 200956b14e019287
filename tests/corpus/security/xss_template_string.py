# expect: PS303@11, PS307@11
from flask import Flask, render_template_string, request

app = Flask(__name__)


@app.route("/greet")
def greet():
    name = request.args.get("name", "")
    template = "<p>Hi " + name + "</p>"
    return render_template_string(template)
