# expect: none
import subprocess

from flask import Flask, request

app = Flask(__name__)


@app.route("/grep", methods=["POST"])
def grep():
    pattern = request.form.get("pattern", "")
    out = subprocess.run(["grep", "--", pattern, "/var/log/app.log"], capture_output=True, check=False)
    return {"out": out.stdout.decode()}
