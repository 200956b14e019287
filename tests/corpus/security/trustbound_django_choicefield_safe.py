# expect: none
from django import forms
from django.http import JsonResponse
from django.views.decorators.http import require_POST


class CurrencyForm(forms.Form):
    currency = forms.ChoiceField(
        choices=[("EUR", "Euro"), ("USD", "US dollar"), ("GBP", "Pound sterling")]
    )


@require_POST
def set_currency(request):
    form = CurrencyForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors}, status=400)
    request.session["currency"] = form.cleaned_data["currency"]
    return JsonResponse({"currency": request.session["currency"]})
