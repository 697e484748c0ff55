"""Quote lines from submitted items (crm.md §6.2): which fields each line kind keeps, the
description fallbacks, positions and line totals."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from crm.models import QuoteItem
from crm.quotes.schemas import QuoteItemInput
from crm.quotes.totals import line_total

DEFAULT_QUANTITY = Decimal("1.00")
DEFAULT_UNIT_PRICE = Decimal("0.00")
NO_DESCRIPTION = "-"


def _description(item: QuoteItemInput) -> str:
    # A plain item shows its own description only; other kinds fall back to their name.
    if item.line_kind == "item":
        return item.description or NO_DESCRIPTION
    return item.description or item.display_name or NO_DESCRIPTION


def build_item(item: QuoteItemInput, position: int) -> QuoteItem:
    kind = item.line_kind
    quantity = DEFAULT_QUANTITY if item.quantity is None else item.quantity
    unit_price = DEFAULT_UNIT_PRICE if item.unit_price is None else item.unit_price
    return QuoteItem(
        line_kind=kind,
        display_name=item.display_name,
        category=item.category if kind != "item" else None,
        line_date=item.line_date if kind == "expense" else None,
        sku=item.sku if kind == "good" else None,
        description=_description(item),
        quantity=quantity,
        unit_price=unit_price,
        total_amount=line_total(quantity, unit_price),
        unit=item.unit,
        stock_item_id=item.stock_item_id if kind == "item" else None,
        warehouse_id=item.warehouse_id if kind == "item" else None,
        position=position,
    )


def build_items(items: Iterable[QuoteItemInput] | None) -> list[QuoteItem]:
    """Positions are the indexes in the submitted array."""
    return [build_item(item, position) for position, item in enumerate(items or ())]
