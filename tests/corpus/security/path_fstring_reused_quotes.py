# expect: PS305@13
from flask import Flask, request

app = Flask(__name__)
BASE = "/srv/files"


@app.route("/download")
def download():
    name = request.args.get("file", "")
    label = f'{request.headers.get('X-Label', 'file')}: {name}'
    print(label)
    with open(f"{BASE}/{name}", "rb") as handle:
        return handle.read()
