# expect: PS308@41
import io
import xml.sax
from xml.sax.handler import ContentHandler, feature_external_ges, feature_namespaces

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST


class FeedHandler(ContentHandler):
    def __init__(self):
        super().__init__()
        self.titles = []
        self._in_title = False
        self._buf = []

    def startElement(self, name, attrs):
        if name == "title":
            self._in_title = True
            self._buf = []

    def characters(self, content):
        if self._in_title:
            self._buf.append(content)

    def endElement(self, name):
        if name == "title":
            self.titles.append("".join(self._buf).strip())
            self._in_title = False


@csrf_exempt
@require_POST
def ingest_feed(request):
    handler = FeedHandler()
    parser = xml.sax.make_parser()
    parser.setFeature(feature_namespaces, False)
    parser.setFeature(feature_external_ges, True)
    parser.setContentHandler(handler)
    parser.parse(io.BytesIO(request.body))
    return JsonResponse({"titles": handler.titles})
