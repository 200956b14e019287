# expect: PS302@15
import os
import socketserver


class PingHandler(socketserver.BaseRequestHandler):
    """Small diagnostics service listening on the shared office network."""

    def handle(self):
        data = self.request.recv(512)
        host = data.decode("ascii", errors="ignore").strip()
        if not host:
            self.request.sendall(b"ERR empty host\n")
            return
        status = os.system("ping -c 1 -W 2 %s > /dev/null 2>&1" % host)
        reply = b"UP\n" if status == 0 else b"DOWN\n"
        self.request.sendall(reply)


if __name__ == "__main__":
    server = socketserver.ThreadingTCPServer(("0.0.0.0", 7070), PingHandler)
    server.serve_forever()
