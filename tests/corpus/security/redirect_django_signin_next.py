# expect: PS306@25
from django.contrib.auth import authenticate, login
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.views import View


class SignInView(View):
    template_name = "accounts/sign_in.html"
    default_next = "/dashboard/"

    def get(self, request):
        return render(request, self.template_name, {"next": request.GET.get("next", "")})

    def post(self, request):
        user = authenticate(
            request,
            username=request.POST.get("username", ""),
            password=request.POST.get("password", ""),
        )
        if user is None:
            context = {"error": "Invalid credentials", "next": request.POST.get("next", "")}
            return render(request, self.template_name, context, status=401)
        login(request, user)
        return HttpResponseRedirect(self.get_success_url(request))

    def get_success_url(self, request):
        target = request.POST.get("next") or request.GET.get("next")
        return target or self.default_next
