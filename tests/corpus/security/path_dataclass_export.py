# expect: PS305@32, PS305@33
import os
from dataclasses import dataclass

from flask import Flask, jsonify, request

app = Flask(__name__)
EXPORT_ROOT = "/srv/app/exports"


@dataclass
class ExportRequest:
    project: str
    filename: str
    content: str

    @classmethod
    def from_json(cls, data):
        return cls(
            project=str(data.get("project", "default")),
            filename=str(data.get("filename", "export.csv")),
            content=str(data.get("content", "")),
        )

    def target_path(self):
        cleaned_project = self.project.replace("..", "").strip("/")
        return os.path.join(EXPORT_ROOT, cleaned_project, self.filename)


def write_export(req):
    path = req.target_path()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(req.content)
    return path


@app.route("/exports", methods=["POST"])
def create_export():
    req = ExportRequest.from_json(request.get_json(silent=True) or {})
    path = write_export(req)
    return jsonify({"written": os.path.basename(path), "bytes": len(req.content)}), 201
