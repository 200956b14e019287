# expect: none
import re
from urllib.parse import quote

import requests
from django.http import HttpResponseBadRequest, JsonResponse
from django.views.decorators.http import require_GET

GITHUB_API = "https://api.github.com"
LOGIN_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,38}")


def _api_get(path, **params):
    resp = requests.get(GITHUB_API + path, params=params, timeout=5, allow_redirects=False)
    resp.raise_for_status()
    return resp.json()


def fetch_repos(login, page):
    return _api_get(f"/users/{quote(login, safe='')}/repos", per_page=30, page=page)


@require_GET
def github_repos(request, login):
    if not LOGIN_RE.fullmatch(login):
        return HttpResponseBadRequest("invalid login")
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        return HttpResponseBadRequest("page must be an integer")
    repos = fetch_repos(login, max(1, min(page, 100)))
    return JsonResponse({"repos": [r["full_name"] for r in repos]})
