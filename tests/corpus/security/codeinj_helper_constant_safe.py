# expect: none
from flask import Flask

app = Flask(__name__)

DEFAULT_EXPR = "2 * 21"


def choose(value):
    mode = 7
    if (mode * 3) % 2 == 0:
        return value
    return DEFAULT_EXPR


@app.route("/widgets/<widget_id>/score")
def score(widget_id):
    expr = choose(widget_id)
    result = eval(expr)
    return {"widget": widget_id, "score": result}
