# expect: PS319@6
import requests


def fetch_status(url):
    return requests.get(url, verify=False, timeout=10).status_code
