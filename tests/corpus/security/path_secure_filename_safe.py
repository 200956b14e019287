# expect: none
import os

from flask import Flask, request
from werkzeug.utils import secure_filename

app = Flask(__name__)


@app.route("/upload", methods=["POST"])
def upload():
    upload = request.files["doc"]
    name = secure_filename(upload.filename)
    upload.save(os.path.join("/srv/uploads", name))
    os.remove(os.path.join("/srv/tmp", name))
    return "stored"
