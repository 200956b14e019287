# expect: PS306@17
import logging

from flask import Flask, redirect, request

app = Flask(__name__)
log = logging.getLogger("auth")


@app.route("/logout")
def logout():
    param = request.values.get("next", "/")

    bar = "%s" % param
    log.info("logout, continuing to %s", bar)

    response = redirect(bar, code=302)
    response.delete_cookie("remember_token")
    return response
