# expect: none
from django.http import JsonResponse
from django.views import View
from lxml import etree

STAFF_XML = "/srv/hr/staff.xml"


class StaffDirectory:
    def __init__(self, path=STAFF_XML):
        self.tree = etree.parse(path)

    def by_login(self, login, office):
        if office:
            nodes = self.tree.xpath(
                "//employee[login=$login and office=$office]", login=login, office=office
            )
        else:
            nodes = self.tree.xpath("//employee[login=$login]", login=login)
        return [{"name": n.findtext("name"), "phone": n.findtext("phone")} for n in nodes]


class StaffLookupView(View):
    directory = None

    def dispatch(self, request, *args, **kwargs):
        if StaffLookupView.directory is None:
            StaffLookupView.directory = StaffDirectory()
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        login = request.GET.get("login", "")
        office = request.GET.get("office")
        if not login:
            return JsonResponse({"error": "login required"}, status=400)
        return JsonResponse({"matches": self.directory.by_login(login, office)})
