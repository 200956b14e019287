# expect: PS320@27, PS320@28
import os

from flask import Flask, jsonify, request, session
from flask.views import MethodView

app = Flask(__name__)
app.secret_key = os.environ["FLASK_SECRET_KEY"]


class WorkspaceAPI(MethodView):
    def get(self):
        return jsonify(
            workspace=session.get("workspace_id"),
            role=session.get("role", "viewer"),
        )

    def put(self):
        payload = request.get_json(silent=True) or {}
        workspace_id = payload.get("workspace_id")
        if not workspace_id:
            return jsonify(error="workspace_id required"), 400
        self._switch(workspace_id, payload.get("role", "viewer"))
        return jsonify(ok=True, workspace=workspace_id)

    def _switch(self, workspace_id, role):
        session["workspace_id"] = workspace_id
        session["role"] = role


app.add_url_rule("/api/workspace", view_func=WorkspaceAPI.as_view("workspace"))
