"""The turnover report's per-(item, UTC day) buckets (`TurnoverDay`), written in the
movement's own transaction. A period reads whole days here and only its partial edge days
from the ledger, so no report scans the movements."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from inventory.ledger.rules import SOLD_TYPES, ZERO
from inventory.models import TurnoverDay


def utc_day(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def sold_quantity(movement_type: str, quantity: Decimal) -> Decimal | None:
    """|quantity| for a sale, usage or consumption; None for every other type."""
    return abs(quantity) if movement_type in SOLD_TYPES else None


def add_to_day(
    session: Session, *, item_id: int, moved_at: datetime, sold: Decimal | None, stock_change: Decimal
) -> None:
    """Add one movement (or a transfer's pair, netted) to its day. Nothing to add, nothing
    written: a transfer's pair nets to zero and never touches the (hot) bucket row."""
    if sold is None and stock_change == 0:
        return
    values = {
        "stock_item_id": item_id,
        "day": utc_day(moved_at),
        "quantity_sold": sold or ZERO,
        "sales": 0 if sold is None else 1,
        "stock_change": stock_change,
    }
    stmt = insert(TurnoverDay).values(**values)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=[TurnoverDay.stock_item_id, TurnoverDay.day],
            set_={
                "quantity_sold": TurnoverDay.quantity_sold + stmt.excluded.quantity_sold,
                "sales": TurnoverDay.sales + stmt.excluded.sales,
                "stock_change": TurnoverDay.stock_change + stmt.excluded.stock_change,
            },
        )
    )
