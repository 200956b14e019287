# expect: none
from pathlib import Path

from flask import Flask, request

app = Flask(__name__)
INBOX = Path("/var/inbox").resolve()


@app.post("/drop")
def drop():
    target = (INBOX / request.form["name"]).resolve()
    location = str(target)
    if target.parent != INBOX:
        return "names cannot contain folders", 400
    with open(location, "wb") as handle:
        handle.write(request.get_data())
    return "stored"
