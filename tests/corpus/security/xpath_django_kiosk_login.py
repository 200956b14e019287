# expect: PS310@23
from django.conf import settings
from django.http import HttpResponseForbidden, JsonResponse
from django.views.decorators.http import require_POST
from lxml import etree

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def _load_accounts():
    return etree.parse(settings.KIOSK_ACCOUNTS_XML, _PARSER)


@require_POST
def kiosk_login(request):
    badge = request.POST.get("badge", "")
    pin = request.POST.get("pin", "")

    tree = _load_accounts()
    query = (
        "//account[badge/text()='" + badge + "' and pin/text()='" + pin + "']"
    )
    matches = tree.xpath(query)
    if not matches:
        return HttpResponseForbidden("invalid badge or pin")

    account = matches[0]
    return JsonResponse({"name": account.findtext("name"), "role": account.findtext("role")})
