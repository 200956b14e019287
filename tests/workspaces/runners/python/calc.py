"""A tiny module under test."""


def add(a: int, b: int) -> int:
    return a + b
