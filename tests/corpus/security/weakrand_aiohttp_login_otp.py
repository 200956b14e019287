# expect: PS316@15
import random
import time

from aiohttp import web


class OtpService:
    ttl = 300

    def __init__(self):
        self.pending = {}

    def issue(self, user_id):
        code = "%06d" % random.randint(0, 999999)
        self.pending[user_id] = (code, time.time() + self.ttl)
        return code

    def verify(self, user_id, code):
        expected, expires = self.pending.get(user_id, (None, 0))
        return expected is not None and time.time() < expires and code == expected


async def request_otp(request):
    data = await request.json()
    user = await request.app["users"].by_phone(data.get("phone", ""))
    if user is None:
        return web.json_response({"sent": True})
    code = request.app["otp"].issue(user.id)
    await request.app["sms"].send(user.phone, f"Your login code is {code}")
    return web.json_response({"sent": True})


app = web.Application()
app["otp"] = OtpService()
app.router.add_post("/auth/otp", request_otp)
