# expect: PS308@40
import io
import xml.sax
from xml.sax.handler import feature_external_ges

from django.http import JsonResponse
from django.views import View


class FeedHandler(xml.sax.ContentHandler):
    def __init__(self):
        super().__init__()
        self.items = []
        self._current = None
        self._text = []

    def startElement(self, name, attrs):
        if name == "item":
            self._current = {}
        self._text = []

    def characters(self, content):
        self._text.append(content)

    def endElement(self, name):
        if self._current is not None and name in ("title", "link"):
            self._current[name] = "".join(self._text).strip()
        elif name == "item" and self._current is not None:
            self.items.append(self._current)
            self._current = None


class FeedImportView(View):
    @staticmethod
    def parse_feed(body):
        parser = xml.sax.make_parser()
        parser.setFeature(feature_external_ges, True)
        handler = FeedHandler()
        parser.setContentHandler(handler)
        parser.parse(io.BytesIO(body))
        return handler.items

    def post(self, request):
        items = self.parse_feed(request.body)
        return JsonResponse({"count": len(items), "items": items[:20]})
