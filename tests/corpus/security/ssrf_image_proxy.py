# expect: PS311@13
from urllib.request import Request, urlopen
from django.http import HttpResponse, JsonResponse

IMAGE_PATH = "/images/{}"
MAX_BYTES = 5 * 1024 * 1024


def fetch_image(request):
    host = request.GET.get("host", "cdn.example.com")
    image = request.GET.get("image", "logo.png")
    url = "https://" + host + IMAGE_PATH.format(image)
    req = Request(url, headers={"User-Agent": "thumb-proxy/1.0"})
    try:
        with urlopen(req, timeout=5) as upstream:
            content = upstream.read(MAX_BYTES)
    except OSError:
        return JsonResponse({"error": "upstream unavailable"}, status=502)
    response = HttpResponse(content, content_type="image/png")
    response["Cache-Control"] = "public, max-age=3600"
    return response
