# expect: none
import socketserver
import sqlite3

DB_PATH = "devices.db"


class LookupHandler(socketserver.BaseRequestHandler):
    """Line protocol: a client sends a device serial, the server answers with its owner."""

    def handle(self):
        data = self.request.recv(256)
        serial = data.decode("utf-8", errors="replace").strip()
        conn = sqlite3.connect(DB_PATH)
        try:
            row = conn.execute(
                "SELECT owner FROM devices WHERE serial = ?", (serial,)
            ).fetchone()
        finally:
            conn.close()
        answer = row[0] if row else "unknown"
        self.request.sendall((answer + "\n").encode("utf-8"))


if __name__ == "__main__":
    with socketserver.TCPServer(("0.0.0.0", 9400), LookupHandler) as server:
        server.serve_forever()
