# expect: PS311@11
import requests
from flask import Flask, request

app = Flask(__name__)


@app.route("/fetch")
def fetch():
    url = request.args.get("url")
    response = requests.get(url, timeout=5)
    return response.text[:100]
