# expect: PS308@33
import io
import socketserver
import xml.sax
from xml.sax import handler


class ReadingCollector(handler.ContentHandler):
    def __init__(self):
        super().__init__()
        self.readings = []
        self._buf = []

    def characters(self, content):
        self._buf.append(content)

    def endElement(self, name):
        if name == "reading":
            self.readings.append("".join(self._buf).strip())
        self._buf = []


class FeedRequestHandler(socketserver.BaseRequestHandler):
    """Accepts XML telemetry from field devices over the public internet."""

    def handle(self):
        payload = self.request.recv(65536)
        parser = xml.sax.make_parser()
        parser.setFeature(handler.feature_namespaces, False)
        parser.setFeature(handler.feature_external_ges, True)
        collector = ReadingCollector()
        parser.setContentHandler(collector)
        parser.parse(io.BytesIO(payload))
        self.request.sendall(("\n".join(collector.readings) + "\n").encode("utf-8"))


if __name__ == "__main__":
    socketserver.TCPServer(("0.0.0.0", 5140), FeedRequestHandler).serve_forever()
