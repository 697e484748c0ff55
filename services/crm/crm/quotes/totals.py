"""Quote money arithmetic (crm.md §6.1): Decimal throughout, 2 places half away from zero at
every stored step, so the figures on the rows and in the API object always agree."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from crm.values import round_money

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class QuoteTotals:
    subtotal: Decimal
    discount_value: Decimal
    subtotal_after_discount: Decimal
    tax_amount: Decimal
    total_amount: Decimal


def line_total(quantity: Decimal, unit_price: Decimal) -> Decimal:
    return round_money(quantity * unit_price)


def discount_value(subtotal: Decimal, discount_type: str | None, discount_amount: Decimal | None) -> Decimal:
    """Percentage of the subtotal, or a fixed amount capped at the subtotal; 0 without a type."""
    amount = discount_amount or ZERO
    if discount_type == "percentage":
        return round_money(subtotal * amount / HUNDRED)
    if discount_type == "fixed":
        return round_money(min(amount, subtotal))
    return ZERO


def quote_totals(
    line_totals: Iterable[Decimal],
    *,
    discount_type: str | None,
    discount_amount: Decimal | None,
    tax_rate: Decimal | None,
) -> QuoteTotals:
    subtotal = round_money(sum(line_totals, ZERO))
    discount = discount_value(subtotal, discount_type, discount_amount)
    after_discount = round_money(subtotal - discount)
    tax = round_money(after_discount * (tax_rate or ZERO) / HUNDRED)
    return QuoteTotals(
        subtotal=subtotal,
        discount_value=discount,
        subtotal_after_discount=after_discount,
        tax_amount=tax,
        total_amount=round_money(after_discount + tax),
    )
