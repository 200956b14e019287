# expect: PS319@7
"""Status probe for the monitoring page: unless a caller says otherwise, it skips
certificate checks (the default of ``check_cert`` is False and becomes ``verify=``)."""
import httpx


def probe(url, timeout=5.0, check_cert=False):
    with httpx.Client(verify=check_cert, timeout=timeout) as client:
        response = client.get(url)
    return {"url": url, "status": response.status_code, "ms": response.elapsed.total_seconds() * 1000}


def probe_all(urls):
    return [probe(u) for u in urls]
