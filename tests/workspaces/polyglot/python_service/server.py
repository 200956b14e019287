"""Items service in Python (standard library only), implementing contract.json."""

import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ITEMS = {1: {"id": 1, "name": "first"}}


class Handler(BaseHTTPRequestHandler):
    def _send(self, status, payload):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/health":
            return self._send(200, {"status": "ok"})
        if self.path.startswith("/items/"):
            try:
                item = ITEMS.get(int(self.path.rsplit("/", 1)[1]))
            except ValueError:
                item = None
            if item is None:
                return self._send(404, {"error": "no such item"})
            return self._send(200, item)
        return self._send(404, {"error": "not found"})

    def do_POST(self):
        if self.path != "/items":
            return self._send(404, {"error": "not found"})
        length = int(self.headers.get("Content-Length", "0"))
        try:
            data = json.loads(self.rfile.read(length) or b"{}")
        except json.JSONDecodeError:
            return self._send(400, {"error": "invalid JSON"})
        if not isinstance(data.get("name"), str):
            return self._send(400, {"error": "name is required"})
        item = {"id": max(ITEMS) + 1, "name": data["name"]}
        ITEMS[item["id"]] = item
        return self._send(201, item)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
