# expect: PS317@4
import requests

API_KEY = "sk_live_9f8e7d6c5b4a39281706"


def charge(amount):
    return requests.post("https://api.pay.example/charge", json={"amount": amount}, headers={"Authorization": API_KEY}, timeout=10)
