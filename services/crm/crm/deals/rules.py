"""Pure deal rules (crm.md §4): statuses, the list's status filter, the weighted value."""

from __future__ import annotations

from decimal import Decimal

from crm.values import round_money

DEAL_STATUSES = ("open", "won", "lost", "cancelled")
# Only these narrow the list; any other value (`all`, `cancelled`, …) lists every status (upstream).
FILTERABLE_STATUSES = frozenset({"open", "won", "lost"})
DEFAULT_STATUS = "open"
DEFAULT_LIST_STATUS = DEFAULT_STATUS
DEFAULT_STAGE = "prospecting"
DEFAULT_PROBABILITY = 50
ZERO = Decimal("0.00")


def status_filter(raw: str | None) -> str | None:
    """The status a deal list is narrowed to: `open` when absent, None (no narrowing) for values
    other than open, won and lost."""
    if raw is None:
        return DEFAULT_LIST_STATUS
    return raw if raw in FILTERABLE_STATUSES else None


def weighted_value(value: Decimal | None, probability: int | None) -> Decimal:
    """value × probability / 100 to the cent; 0.00 without a value or a probability."""
    if not value or not probability:
        return ZERO
    return round_money(value * probability / 100)
