"""Pure deal rules (crm.md §4): statuses, the list's status filter, money shown and weighted."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from crm.values import round_money

DEAL_STATUSES = ("open", "won", "lost", "cancelled")
# Only these narrow the list; any other value (`all`, `cancelled`, …) lists every status (upstream).
FILTERABLE_STATUSES = frozenset({"open", "won", "lost"})
DEFAULT_STATUS = "open"
DEFAULT_LIST_STATUS = DEFAULT_STATUS
DEFAULT_STAGE = "prospecting"
DEFAULT_PROBABILITY = 50
DEFAULT_CURRENCY = "EUR"

_CURRENCY = re.compile(r"[A-Za-z]{3}")
ZERO = Decimal("0.00")


def status_filter(raw: str | None) -> str | None:
    """The status a deal list is narrowed to: `open` when absent, None (no narrowing) for values
    other than open, won and lost."""
    if raw is None:
        return DEFAULT_LIST_STATUS
    return raw if raw in FILTERABLE_STATUSES else None


def shown_value(value: Decimal | None) -> Decimal | None:
    """`0` is shown as no value (upstream treats a zero amount as unset)."""
    return value if value else None


def weighted_value(value: Decimal | None, probability: int | None) -> Decimal:
    """value × probability / 100 to the cent; 0.00 without a value or a probability."""
    if not value or not probability:
        return ZERO
    return round_money(value * probability / 100)


def check_percent(value: int | None) -> int | None:
    """Probabilities (and lead scores) are 0–100."""
    if value is not None and not 0 <= value <= 100:
        raise ValueError("Must be between 0 and 100")
    return value


def to_currency_code(value: Any) -> str | None:
    """Three letters, upper-cased; None and blank → None (the caller's default applies)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str) or not _CURRENCY.fullmatch(value.strip()):
        raise ValueError("Must be a 3-letter currency code")
    return value.strip().upper()
