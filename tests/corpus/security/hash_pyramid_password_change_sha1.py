# expect: PS315@15
import hashlib
import hmac
import os

from pyramid.httpexceptions import HTTPBadRequest, HTTPForbidden
from pyramid.view import view_config


class PasswordService:
    def __init__(self, dbsession):
        self.dbsession = dbsession

    def _digest(self, salt, password):
        return hashlib.sha1((salt + password).encode("utf-8")).hexdigest()

    def verify(self, user, password):
        return hmac.compare_digest(self._digest(user.salt, password), user.password_hash)

    def set_password(self, user, new_password):
        user.salt = os.urandom(8).hex()
        user.password_hash = self._digest(user.salt, new_password)
        self.dbsession.add(user)


@view_config(route_name="change_password", request_method="POST", renderer="json")
def change_password(request):
    user = request.user
    if user is None:
        raise HTTPForbidden()
    current = request.params.get("current_password", "")
    new = request.params.get("new_password", "")
    service = PasswordService(request.dbsession)
    if not service.verify(user, current):
        raise HTTPForbidden(json_body={"error": "current password is wrong"})
    if len(new) < 10:
        raise HTTPBadRequest(json_body={"error": "password too short"})
    service.set_password(user, new)
    return {"ok": True}
