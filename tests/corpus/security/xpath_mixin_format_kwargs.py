# expect: PS310@17
from django.http import JsonResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from lxml import etree


class XmlStoreMixin:
    xml_path = "config/clients.xml"

    def load_tree(self):
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        return etree.parse(self.xml_path, parser)

    def select(self, expression):
        return self.load_tree().xpath(expression)


class ClientLookupBase(XmlStoreMixin, View):
    expression = "//client[@id='{client_id}' and @region='{region}']"

    def build_expression(self, **values):
        return self.expression.format(**values)


@method_decorator(csrf_exempt, name="dispatch")
class ClientInfoView(ClientLookupBase):
    def post(self, request):
        expr = self.build_expression(
            client_id=request.POST.get("client_id", ""),
            region=request.headers.get("X-Region", "eu"),
        )
        matches = self.select(expr)
        if not matches:
            return JsonResponse({"found": False}, status=404)
        client = matches[0]
        return JsonResponse({
            "found": True,
            "name": client.get("name"),
            "plan": client.findtext("plan"),
            "contact": client.findtext("contact/email"),
        })
