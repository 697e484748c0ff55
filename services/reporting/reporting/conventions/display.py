"""How report values are shown: hours (CONVENTIONS §6.3) and a project the replica lacks."""

from __future__ import annotations

UNKNOWN_PROJECT = "Unknown"


def hours(seconds: int) -> float:
    """`round(seconds / 3600, 2)`, Python's half-to-even `round`."""
    return round(seconds / 3600, 2)


def hundredths_of_hour(seconds: int) -> int:
    """One entry's hours as the reports round them, × 100 as an integer, so report totals are
    exact integer sums (reporting.md §1 rounds each entry first)."""
    return round(hours(seconds) * 100)
