# expect: PS307@37
import os
import uuid

from flask import Flask, abort, request

app = Flask(__name__)
UPLOAD_DIR = "/srv/uploads"


def store_upload(upload):
    key = uuid.uuid4().hex
    upload.save(os.path.join(UPLOAD_DIR, key))
    return key


def confirmation_page(original_name, key, comment):
    rows = [
        "<tr><th>File</th><td>%s</td></tr>" % original_name,
        "<tr><th>Reference</th><td>%s</td></tr>" % key,
        "<tr><th>Comment</th><td>{}</td></tr>".format(comment),
    ]
    return (
        "<html><body><h1>Upload complete</h1><table>"
        + "".join(rows)
        + "</table><a href='/upload'>Upload another</a></body></html>"
    )


@app.route("/upload", methods=["POST"])
def upload():
    if "document" not in request.files:
        abort(400)
    doc = request.files["document"]
    key = store_upload(doc)
    comment = request.form.get("comment", "")
    return confirmation_page(doc.filename, key, comment)
