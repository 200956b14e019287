# expect: none
from flask import Flask, jsonify, render_template, request

app = Flask(__name__)


@app.route("/greet")
def greet():
    return render_template("greet.html", name=request.args.get("name", ""))


@app.route("/api/greet")
def api_greet():
    return jsonify(name=request.args.get("name", ""))
