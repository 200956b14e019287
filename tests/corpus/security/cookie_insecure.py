# expect: PS313@10
from flask import Flask, make_response, request

app = Flask(__name__)


@app.route("/remember")
def remember():
    response = make_response("ok")
    response.set_cookie("session_id", request.args.get("sid", ""), secure=False, httponly=True)
    return response
