# expect: none
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from teams.models import Membership


@login_required
@require_POST
def switch_team(request):
    slug = request.POST.get("team", "")
    membership = get_object_or_404(
        Membership.objects.select_related("team"),
        team__slug=slug,
        user=request.user,
        is_active=True,
    )
    request.session["team_id"] = membership.team_id
    request.session["team_role"] = membership.role
    return JsonResponse({"team": membership.team.name, "role": membership.role})


@login_required
@require_POST
def finish_onboarding(request):
    step = request.POST.get("step")
    if step == "done":
        request.session["onboarding"] = "complete"
    return JsonResponse({"onboarding": request.session.get("onboarding", "pending")})
