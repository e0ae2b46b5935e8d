"""Norwegian organisation numbers: nine digits, the last a modulus-11 check digit."""

from __future__ import annotations

WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


def check_digit(first_eight: str) -> int | None:
    """The check digit for eight digits, or None where none exists (remainder 1)."""
    remainder = sum(int(d) * w for d, w in zip(first_eight, WEIGHTS, strict=True)) % 11
    if remainder == 0:
        return 0
    if remainder == 1:
        return None
    return 11 - remainder


def org_number_problem(value: str) -> str | None:
    """Why `value` is not a valid organisation number, or None if it is."""
    if len(value) != 9 or not value.isascii() or not value.isdigit():
        return "An organisation number has exactly 9 digits, with no spaces."
    expected = check_digit(value[:8])
    if expected is None or expected != int(value[8]):
        return "The check digit does not match: check the organisation number for a typo."
    return None


def is_valid_org_number(value: str) -> bool:
    return org_number_problem(value) is None
