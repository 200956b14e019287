# expect: none
import asyncio
import random
import secrets

import tornado.web


async def call_with_retry(func, attempts=4, base_delay=0.2):
    for attempt in range(attempts):
        try:
            return await func()
        except ConnectionError:
            if attempt == attempts - 1:
                raise
            # jitter so clients don't retry in lockstep
            await asyncio.sleep(base_delay * (2 ** attempt) + random.uniform(0, 0.1))


class LoginHandler(tornado.web.RequestHandler):
    def initialize(self, auth, sessions):
        self.auth = auth
        self.sessions = sessions

    async def post(self):
        username = self.get_body_argument("username")
        password = self.get_body_argument("password")
        user = await call_with_retry(lambda: self.auth.check(username, password))
        if user is None:
            raise tornado.web.HTTPError(401)
        session_id = secrets.token_hex(32)
        await call_with_retry(lambda: self.sessions.put(session_id, user.id))
        self.set_cookie("sid", session_id, secure=True, httponly=True, samesite="Strict")
        self.write({"ok": True})
