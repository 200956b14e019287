# expect: PS310@17
import socketserver

from lxml import etree

PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
USERS = etree.parse("/etc/kiosk/users.xml", PARSER)


class PinCheckHandler(socketserver.BaseRequestHandler):
    """Door controllers on the building network send 'badge:pin' and get ALLOW or DENY."""

    def handle(self):
        msg = self.request.recv(128).decode("utf-8", errors="replace").strip()
        badge, _, pin = msg.partition(":")
        query = "//user[badge='%s' and pin='%s']" % (badge, pin)
        matches = USERS.xpath(query)
        self.request.sendall(b"ALLOW\n" if matches else b"DENY\n")


if __name__ == "__main__":
    socketserver.TCPServer(("0.0.0.0", 8701), PinCheckHandler).serve_forever()
