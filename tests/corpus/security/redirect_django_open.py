# expect: PS306@7
from django.http import HttpResponseRedirect


def done(request):
    nxt = request.POST.get("next", "/")
    return HttpResponseRedirect(nxt)
