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
