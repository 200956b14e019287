# expect: none
import os
from urllib.parse import quote

import requests
from flask import Flask, jsonify, request

app = Flask(__name__)

WEATHER_API = "https://api.weather.example.com/v2"
API_KEY = os.environ.get("WEATHER_API_KEY", "")


def forecast_url(city):
    return f"{WEATHER_API}/forecast/{quote(city, safe='')}"


def fetch_forecast(city, days):
    resp = requests.get(
        forecast_url(city), params={"days": days, "key": API_KEY}, timeout=5
    )
    resp.raise_for_status()
    return resp.json()


@app.route("/weather")
def weather():
    city = request.args.get("city", "").strip()
    try:
        days = min(int(request.args.get("days", "3")), 10)
    except ValueError:
        days = 3
    if not city:
        return jsonify(error="city is required"), 400
    try:
        data = fetch_forecast(city, days)
    except requests.RequestException:
        return jsonify(error="upstream unavailable"), 502
    return jsonify(city=city, forecast=data.get("daily", []))
