# expect: none
import secrets

import tornado.web


class SessionMixin:
    session_cookie = "session_id"

    def start_session(self, user_id):
        sid = secrets.token_hex(32)
        self.application.settings["session_store"][sid] = user_id
        self.set_cookie(
            self.session_cookie,
            sid,
            expires_days=None,
            secure=True,
            httponly=True,
            samesite="Lax",
        )
        return sid


class LoginHandler(SessionMixin, tornado.web.RequestHandler):
    def post(self):
        username = self.get_body_argument("username")
        password = self.get_body_argument("password")
        user_id = self.application.settings["auth"].check(username, password)
        if user_id is None:
            self.set_status(401)
            self.write({"error": "invalid credentials"})
            return
        self.start_session(user_id)
        self.write({"ok": True})


def make_app(auth, store):
    return tornado.web.Application(
        [(r"/login", LoginHandler)], auth=auth, session_store=store
    )
