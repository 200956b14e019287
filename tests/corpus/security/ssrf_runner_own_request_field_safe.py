# expect: none
import requests


class WebhookRelay:
    """Replays a configured webhook call; ``self.request`` is the call this object builds."""

    def __init__(self, params: dict):
        self.request = dict(params)
        self.request.setdefault("timeout", 10)

    def send(self):
        target = self.request.get("url")
        return requests.post(target, json=self.request.get("payload"), timeout=10)
