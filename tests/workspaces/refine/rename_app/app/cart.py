"""Cart uses pricing."""

from app.pricing import compute_total


def cart_total(items: list[float]) -> float:
    """Total of the cart; the word compute_total in this docstring stays."""
    return compute_total(items)
