# expect: none
from flask import Flask, redirect, request

app = Flask(__name__)


@app.route("/go")
def go():
    section = request.args.get("section", "")
    return redirect(f"/docs/{section}")
