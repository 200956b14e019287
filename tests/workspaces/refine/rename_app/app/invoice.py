"""Invoice uses pricing through the module."""

from app import pricing


def invoice_total(items: list[float]) -> str:
    """Formatted total."""
    return f"{pricing.compute_total(items):.2f}"
