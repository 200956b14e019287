# expect: PS314@10
from flask import Flask, make_response

app = Flask(__name__)


@app.route("/login")
def login():
    response = make_response("welcome")
    response.set_cookie("auth_token", issue_token(), secure=True)
    return response


def issue_token():
    import secrets

    return secrets.token_urlsafe(32)
