# expect: none
from flask import Flask, request

app = Flask(__name__)

DEFAULT_EXPR = "2 * 64"


@app.route("/widgets/size")
def widget_size():
    param = request.args.get("expr", "")

    bar = DEFAULT_EXPR if (500 // 50) * 25 > 200 else param

    area = eval(bar)
    return {"expr": bar, "value": area}
