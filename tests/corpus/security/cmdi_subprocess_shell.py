# expect: PS302@12
import subprocess

from flask import Flask, request

app = Flask(__name__)


@app.route("/grep", methods=["POST"])
def grep():
    pattern = request.form.get("pattern", "")
    out = subprocess.check_output(f"grep {pattern} /var/log/app.log", shell=True)
    return {"out": out.decode()}
