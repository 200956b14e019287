# expect: none
"""A small API client library: ``verify`` is the caller's option, passed through to requests
unchanged (True by default); the library itself never turns the check off."""
import requests


class ApiError(Exception):
    pass


def request(method, url, *, verify=True, timeout=30, **kwargs):
    response = requests.request(method, url, verify=verify, timeout=timeout, **kwargs)
    if response.status_code >= 400:
        raise ApiError(f"{method} {url}: {response.status_code}")
    return response


def get(url, verify=True, **kwargs):
    return request("GET", url, verify=verify, **kwargs)


def ping(url, ca_bundle):
    return get(url, verify=ca_bundle).ok
