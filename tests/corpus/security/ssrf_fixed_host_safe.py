# expect: none
import requests
from flask import Flask, request

app = Flask(__name__)


@app.route("/weather")
def weather():
    city = request.args.get("city", "paris")
    response = requests.get(f"https://api.weather.example/v1/{city}", timeout=5)
    return response.json()
