# expect: PS319@25
"""Inventory sync: the helper forwards its caller's ``verify`` choice to requests (that alone
is fine); the sync job then calls it with a literal ``False``."""
import requests

API = "https://inventory.internal.example.com/api/v2"


def get_json(path, token, verify):
    response = requests.get(
        f"{API}/{path}",
        headers={"Authorization": f"Bearer {token}"},
        verify=verify,
        timeout=20,
    )
    response.raise_for_status()
    return response.json()


def sync(token):
    items = get_json("items", token, True)
    seen = set()
    for item in items:
        seen.add(item["sku"])
    return get_json("warehouses", token, False), seen
