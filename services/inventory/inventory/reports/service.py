"""The four inventory reports (inventory.md §6). Invalid query values arrive here as None
(ignored, never a 500); the router parses them."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.orm import Session

from inventory.models import StockItem, Warehouse, WarehouseStock
from inventory.reports import repository, turnover
from inventory.reports.repository import HistoryFilters
from shared.db import utcnow
from shared.inputs import as_number, round_money
from shared.pagination import PageParams, pagination_object
from shared.timefmt import iso_utc

DEFAULT_CURRENCY = "EUR"
UNCATEGORIZED = "Uncategorized"
TURNOVER_DEFAULT_DAYS = 365
ZERO = Decimal("0")
MICROSECOND = timedelta(microseconds=1)


def _worth(item: StockItem, stock: WarehouseStock, lot_mode: bool) -> tuple[Decimal, Decimal, Decimal]:
    """(quantity, value, cost) of one stock row: its positive lots (cost = weighted average,
    half away from zero), or in fallback mode its on-hand at the default cost."""
    if lot_mode:
        quantity, value = stock.lot_quantity, stock.lot_value
        return quantity, value, (value / quantity).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    cost = item.default_cost or ZERO
    return stock.quantity_on_hand, stock.quantity_on_hand * cost, cost


def _add(groups: dict[str, dict[str, Any]], key: str, value: Decimal, first: dict[str, Any]) -> None:
    """Group values sum as-is; the group keeps the currency of its lowest-id item (rows come
    ordered by item id)."""
    if key in groups:
        groups[key]["value"] += value
    else:
        groups[key] = first | {"value": value}


def valuation(
    session: Session, *, warehouse_id: int | None, category: str | None, currency: str | None
) -> dict[str, Any]:
    lot_mode = repository.any_lots(session)
    rows = repository.valuation_rows(
        session, lot_mode=lot_mode, warehouse_id=warehouse_id, category=category, currency=currency
    )
    by_warehouse: dict[str, dict[str, Any]] = {}
    by_category: dict[str, dict[str, Any]] = {}
    details = []
    total = ZERO
    for item, warehouse, stock in rows:
        quantity, value, cost = _worth(item, stock, lot_mode)
        total += value
        _add(by_warehouse, f"{warehouse.name} ({warehouse.code})", value, _warehouse_group(warehouse, item))
        group = item.category or UNCATEGORIZED
        _add(by_category, group, value, {"category": group, "currency": item.currency_code})
        details.append(
            {
                "item_id": item.id,
                "sku": item.sku,
                "name": item.name,
                "category": item.category,
                "warehouse_id": warehouse.id,
                "warehouse_name": warehouse.name,
                "quantity": as_number(quantity),
                "cost": as_number(cost),
                "value": as_number(round_money(value)),
                "currency": item.currency_code,
            }
        )
    for group in (*by_warehouse.values(), *by_category.values()):
        group["value"] = as_number(round_money(group["value"]))
    return {
        "total_value": as_number(round_money(total)),
        "by_warehouse": by_warehouse,
        "by_category": by_category,
        "item_details": details,
        "currency": currency or DEFAULT_CURRENCY,
        "warehouse_id": warehouse_id,
        "category": category,
    }


def _warehouse_group(warehouse: Warehouse, item: StockItem) -> dict[str, Any]:
    return {
        "warehouse_id": warehouse.id,
        "warehouse_name": warehouse.name,
        "warehouse_code": warehouse.code,
        "currency": item.currency_code,
    }


def _reference(reference_type: str | None, reference_id: int | None) -> str | None:
    if reference_type and reference_id is not None:
        return f"{reference_type}#{reference_id}"
    if reference_type:
        return reference_type
    return None if reference_id is None else str(reference_id)


def movement_history(session: Session, filters: HistoryFilters, page: PageParams | None) -> dict[str, Any]:
    """All matching movements, or one page of them when `page` is given (both parameters sent)."""
    rows, total = repository.history(session, filters, page)
    body: dict[str, Any] = {
        "movements": [
            {
                "id": movement.id,
                "date": iso_utc(movement.moved_at),
                "item_id": item.id,
                "item_sku": item.sku,
                "item_name": item.name,
                "warehouse_id": warehouse.id,
                "warehouse_name": warehouse.name,
                "quantity": as_number(movement.quantity),
                "type": movement.movement_type,
                "reference": _reference(movement.reference_type, movement.reference_id),
                "notes": movement.notes,
            }
            for movement, item, warehouse in rows
        ],
        "total_movements": total,
    }
    if page is not None:
        body["pagination"] = pagination_object(page, total)
    return body


def turnover_report(
    session: Session, *, start: datetime | None, end: datetime | None, item_id: int | None
) -> dict[str, Any]:
    """Per item sold (sale, usage, consumption) in [start, end]. on_hand_at(t) = current total
    − Σ stock changes after t, where a movement's change is what it applied to on-hand
    (floored at 0; 0 for non-trackable items), so the reconstruction is the real history."""
    now = utcnow()
    end = end or now
    start = start or now - timedelta(days=TURNOVER_DEFAULT_DAYS)
    after_end = end + MICROSECOND
    in_period = repository.span_sums(session, turnover.split(start, after_end), None if item_id is None else [item_id])
    sold = {item: sums for item, sums in in_period.items() if sums.sales > 0}
    rows = []
    if sold:
        later = repository.span_sums(session, turnover.split(after_end, None), sold)
        at_start = repository.changes_at(session, start, sold)
        current = repository.current_on_hand(session, sold)
        days = turnover.period_days(start, end)
        for item in repository.items_by_id(session, sold):
            sums = sold[item.id]
            on_hand_end = (current.get(item.id) or ZERO) - later.get(item.id, turnover.Sums()).change
            after_start = sums.change - at_start.get(item.id, turnover.Sums()).change
            metrics = turnover.metrics(sums.sold, on_hand_end - after_start, on_hand_end, days)
            rows.append({"item_id": item.id, "sku": item.sku, "name": item.name, **metrics})
    return {"start_date": iso_utc(start), "end_date": iso_utc(end), "items": rows}


def low_stock_report(session: Session, *, warehouse_id: int | None) -> dict[str, Any]:
    return {
        "items": [
            {
                "item_id": item.id,
                "item_sku": item.sku,
                "item_name": item.name,
                "warehouse_id": warehouse.id,
                "warehouse_code": warehouse.code,
                "warehouse_name": warehouse.name,
                "quantity_on_hand": as_number(stock.quantity_on_hand),
                "reorder_point": as_number(item.reorder_point),
                "reorder_quantity": as_number(item.reorder_quantity or ZERO),
                "shortfall": as_number(item.reorder_point - stock.quantity_on_hand),
            }
            for item, warehouse, stock in repository.low_stock(session, warehouse_id)
        ]
    }
