# expect: none
import requests
from flask import Flask, request, session
app = Flask(__name__)

@app.route("/a")
def a():
    return {"v": session.get(request.args["k"])}

def b(req):
    return req.session.get(req.GET["k"])
