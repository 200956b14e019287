# expect: PS308@37
import io
import xml.sax
from xml.sax.handler import ContentHandler, feature_external_ges

from django.http import JsonResponse
from django.views import View


class TitleCollector(ContentHandler):
    def __init__(self):
        super().__init__()
        self.titles = []
        self._buf = None

    def startElement(self, name, attrs):
        if name == "title":
            self._buf = []

    def characters(self, content):
        if self._buf is not None:
            self._buf.append(content)

    def endElement(self, name):
        if name == "title" and self._buf is not None:
            self.titles.append("".join(self._buf).strip())
            self._buf = None


class FeedImportView(View):
    def post(self, request):
        collector = TitleCollector()
        parser = xml.sax.make_parser()
        parser.setFeature(feature_external_ges, True)
        parser.setContentHandler(collector)
        try:
            parser.parse(io.BytesIO(request.body))
        except xml.sax.SAXParseException as exc:
            return JsonResponse({"error": str(exc)}, status=400)
        return JsonResponse({"imported": len(collector.titles), "titles": collector.titles})
