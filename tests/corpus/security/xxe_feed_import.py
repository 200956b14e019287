# expect: PS308@39
import io
import xml.sax
from xml.sax.handler import feature_external_ges, feature_namespaces
from django.http import JsonResponse
from django.views.decorators.http import require_POST


class FeedHandler(xml.sax.ContentHandler):
    def __init__(self):
        super().__init__()
        self.titles = []
        self._in_title = False
        self._buffer = []

    def startElement(self, name, attrs):
        if name == "title":
            self._in_title = True
            self._buffer = []

    def characters(self, content):
        if self._in_title:
            self._buffer.append(content)

    def endElement(self, name):
        if name == "title":
            self.titles.append("".join(self._buffer).strip())
            self._in_title = False


@require_POST
def import_feed(request):
    handler = FeedHandler()
    parser = xml.sax.make_parser()
    parser.setFeature(feature_namespaces, False)
    parser.setFeature(feature_external_ges, True)
    parser.setContentHandler(handler)
    try:
        parser.parse(io.BytesIO(request.body))
    except xml.sax.SAXParseException:
        return JsonResponse({"error": "invalid feed"}, status=400)
    return JsonResponse({"count": len(handler.titles), "titles": handler.titles[:20]})
