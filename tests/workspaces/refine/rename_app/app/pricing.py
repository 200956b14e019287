"""Prices."""


def compute_total(items: list[float]) -> float:
    """Sum of the item prices."""
    return sum(items)
