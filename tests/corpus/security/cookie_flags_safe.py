# expect: none
from flask import Flask, make_response

app = Flask(__name__)


@app.route("/remember")
def remember():
    response = make_response("ok")
    response.set_cookie("session_id", "abc", secure=True, httponly=True, samesite="Lax")
    response.set_cookie("theme", "dark")
    return response
