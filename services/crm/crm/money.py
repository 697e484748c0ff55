"""Money as deals and leads show it (crm.md §4–§5): the default currency and a zero amount
shown as none."""

from __future__ import annotations

from decimal import Decimal

DEFAULT_CURRENCY = "EUR"


def shown_value(value: Decimal | None) -> Decimal | None:
    """`0` is shown as no value (upstream treats a zero amount as unset)."""
    return value if value else None
