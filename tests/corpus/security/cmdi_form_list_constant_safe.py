# expect: none
import subprocess

from flask import Flask, request

app = Flask(__name__)


@app.route("/tools/disk", methods=["POST"])
def disk_usage():
    mount = request.form.get("mount", "")
    candidates = []
    candidates.append("/var/lib/app")
    candidates.append(mount)
    candidates.append("/srv/data")
    target = candidates[0]
    output = subprocess.run(
        "du -sh " + target, shell=True, capture_output=True, text=True
    ).stdout
    return {"usage": output.strip()}
