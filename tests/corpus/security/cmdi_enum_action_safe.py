# expect: none
import enum
import logging
import subprocess

from django.http import HttpResponseBadRequest, JsonResponse
from django.views.decorators.http import require_POST

log = logging.getLogger(__name__)


class Service(enum.Enum):
    NGINX = "nginx"
    WORKER = "app-worker"
    SCHEDULER = "app-scheduler"


class Action(enum.Enum):
    RESTART = "restart"
    STATUS = "status"


@require_POST
def service_control(request):
    raw_service = request.POST.get("service", "")
    raw_action = request.POST.get("action", "")
    log.info("service control requested: %s %s by %s", raw_service, raw_action, request.user)
    try:
        service = Service(raw_service)
        action = Action(raw_action)
    except ValueError:
        return HttpResponseBadRequest("unknown service or action")
    cmd = f"sudo systemctl {action.value} {service.value}"
    proc = subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=30)
    return JsonResponse({"rc": proc.returncode, "output": proc.stdout[-2000:]})
