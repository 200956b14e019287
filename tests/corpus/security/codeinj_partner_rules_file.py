# expect: PS303@25
"""Batch job: apply discount rules that partners upload through the partner portal.

Usage: python apply_rules.py /srv/portal/uploads/<partner>/rules.txt
Each line has the form  <sku>: <python expression using price>
"""
import sys


def load_prices():
    return {"A100": 19.99, "B200": 5.50, "C300": 120.00}


def main(path):
    prices = load_prices()
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            sku, _, rule = line.partition(":")
            sku = sku.strip()
            if sku not in prices:
                continue
            new_price = eval(rule, {"price": prices[sku]})
            print(f"{sku}: {prices[sku]} -> {new_price}")


if __name__ == "__main__":
    main(sys.argv[1])
