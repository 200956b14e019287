# expect: PS310@16
from django.contrib.auth.hashers import check_password
from django.http import JsonResponse
from django.views.decorators.http import require_POST
from lxml import etree

USERS_XML = "/etc/webapp/users.xml"


class XmlUserStore:
    def __init__(self, path):
        self.tree = etree.parse(path)

    def find_active(self, username):
        query = "/users/user[@active='true' and name/text()='" + username + "']"
        matches = self.tree.xpath(query)
        return matches[0] if matches else None


store = XmlUserStore(USERS_XML)


@require_POST
def xml_login(request):
    username = request.POST.get("username", "")
    password = request.POST.get("password", "")
    user = store.find_active(username)
    if user is None or not check_password(password, user.findtext("password")):
        return JsonResponse({"ok": False}, status=401)
    return JsonResponse({"ok": True, "role": user.findtext("role")})
