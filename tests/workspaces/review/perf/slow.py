"""Performance anti-patterns the analyzer must find."""

import re

import requests


def common(orders, customers):
    matches = []
    for order in orders:
        for customer in customers:
            if order["customer_id"] == customer["id"]:
                matches.append((order, customer))
    return matches


def render(rows):
    html = ""
    for row in rows:
        html += f"<tr><td>{row}</td></tr>"
    return html


def load_users(db, ids):
    users = []
    for user_id in ids:
        users.append(db.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone())
    return users


def fetch_all(urls):
    return [requests.get(url, timeout=5).text for url in urls] + [fetch(u) for u in urls]


def fetch(url):
    pages = []
    for attempt in range(3):
        pages.append(requests.get(url, timeout=5))
    return pages


def top(scores, rounds):
    best = []
    for _ in range(rounds):
        best = sorted(scores)[-3:]
    return best


def dedupe(items):
    seen = []
    unique = []
    for item in items:
        if item not in seen:
            seen.append(item)
            unique.append(item)
    return unique


def words(lines):
    found = []
    for line in lines:
        found += re.compile(r"\w+").findall(line)
    return found


def matrix_sum(matrix):
    total = 0
    for row in matrix:
        for cell in row:
            total += cell
    return total


# Below: code that looks like the patterns above but is linear (no finding may land here).
def report(findings):
    by_file = {}
    for finding in findings:
        by_file.setdefault(finding.path, []).append(finding)
    lines = []
    for path in sorted(by_file):
        for finding in sorted(by_file[path], key=lambda f: f.line):
            lines.append(f"{path}:{finding.line}")
    return ", ".join(f"{k}={v}" for k, v in sorted(by_file.items()))


def imports(trees):
    found = set()
    for tree in trees:
        for node in tree.body:
            names = node.names
            for alias in names:
                found.add(alias.name)
    return found


def read_all(paths):
    texts = []
    for path in paths:
        with open(path) as handle:
            texts.append(handle.read())
    return texts


def wait_for(port, attempts):
    import socket

    for _ in range(attempts):
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=0.2)
        except OSError:
            continue
    return None


METHODS = ("get", "post", "put")


def routes(document):
    return [(path, method) for path in document for method in METHODS if method in path]
