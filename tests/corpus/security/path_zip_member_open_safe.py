# expect: none
"""Reads the manifest out of an uploaded bundle: the archive member is opened inside the zip
(ZipFile.open reads a member, it does not touch the file system)."""
import io
import json
import zipfile

from flask import Flask, jsonify, request

app = Flask(__name__)


@app.post("/bundles/inspect")
def inspect_bundle():
    upload = request.files["bundle"]
    archive = zipfile.ZipFile(io.BytesIO(upload.read()))
    with archive.open("manifest.json") as fh:
        manifest = json.load(fh)
    return jsonify({"name": manifest.get("name"), "files": len(archive.namelist())})
