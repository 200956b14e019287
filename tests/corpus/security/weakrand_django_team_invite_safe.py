# expect: none
import random
import secrets

from django.http import JsonResponse
from django.views import View


class TeamInviteView(View):
    def post(self, request, team_id):
        from teams.models import Invite, Team

        team = Team.objects.get(pk=team_id, owner=request.user)
        email = request.POST.get("email", "").strip().lower()
        token = secrets.token_urlsafe(32)
        Invite.objects.create(team=team, email=email, token=token)
        return JsonResponse({"invite_url": f"https://app.example.com/join/{token}"}, status=201)


class TeamShowcaseView(View):
    """Public page that shows a few member avatars in a different order on each visit."""

    def get(self, request, team_id):
        from teams.models import Team

        team = Team.objects.get(pk=team_id, public=True)
        members = list(team.members.values("display_name", "avatar_url")[:50])
        random.shuffle(members)
        return JsonResponse({"team": team.name, "featured": members[:8]})
