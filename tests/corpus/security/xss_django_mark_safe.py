# expect: PS307@8
from django.http import HttpResponse
from django.utils.safestring import mark_safe


def comment(request):
    body = request.POST.get("body", "")
    html = mark_safe("<p>%s</p>" % body)
    return HttpResponse(html)
