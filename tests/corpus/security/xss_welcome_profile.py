# expect: PS307@10, PS307@20
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe


def welcome(request):
    name = request.GET.get("name", "guest")
    parts = ["<div class='welcome'>", "Welcome back, ", name, "!</div>"]
    return HttpResponse("".join(parts))


def profile_card(request):
    if request.method != "POST":
        return render(request, "profiles/card_form.html")
    bio = request.POST.get("bio", "")
    title = request.POST.get("title", "Profile")
    context = {
        "title": title,
        "bio_html": mark_safe("<p>%s</p>" % bio),
    }
    return render(request, "profiles/card.html", context)
