"""`/api/v1/inventory/reports/*` (inventory.md §6). Invalid numeric and date query values
are ignored (treated as absent), never an error."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from inventory.deps import ReadScope, SettingsDep
from inventory.reports import service
from inventory.reports.repository import HistoryFilters
from inventory.reports.schemas import LowStockReport, MovementHistory, TurnoverReport, ValuationReport
from inventory.routing import feature_router
from shared.db import SessionDep
from shared.inputs import trim_to_none
from shared.pagination import PageParams
from shared.query import filter_id, filter_instant

router = feature_router("/api/v1/inventory/reports", tags=["inventory"])
IdFilter = Annotated[str | None, Query(description="Ignored when not an id")]
DateFilter = Annotated[str | None, Query(description="Date or datetime; a date-only end is that whole day")]


@router.get("/valuation", response_model=ValuationReport)
def get_valuation_report(
    session: SessionDep,
    identity: ReadScope,
    warehouse_id: IdFilter = None,
    category: Annotated[str | None, Query(description="Exact item category")] = None,
    currency_code: Annotated[str | None, Query(description="Exact item currency")] = None,
) -> dict:
    """Stock value of active, trackable items from their cost layers (FIFO lots)."""
    return service.valuation(
        session,
        warehouse_id=filter_id(warehouse_id),
        category=trim_to_none(category),
        currency=trim_to_none(currency_code),
    )


def _both_pages(page: str | None, per_page: str | None) -> PageParams | None:
    """Paginated only when both `page` and `per_page` are integers (§6.2)."""
    try:
        int(page or ""), int(per_page or "")
    except ValueError:
        return None
    return PageParams.parse(page, per_page)


@router.get("/movement-history", response_model=MovementHistory, response_model_exclude_unset=True)
def get_movement_history(
    session: SessionDep,
    settings: SettingsDep,
    identity: ReadScope,
    date_from: DateFilter = None,
    date_to: DateFilter = None,
    stock_item_id: IdFilter = None,
    warehouse_id: IdFilter = None,
    movement_type: Annotated[str | None, Query(description="Exact movement type")] = None,
    page: Annotated[str | None, Query(description="Page number (with per_page)")] = None,
    per_page: Annotated[str | None, Query(description="Page size, max 100 (with page)")] = None,
) -> dict:
    """Movements newest first; all of them unless both `page` and `per_page` are given."""
    filters = HistoryFilters(
        start=filter_instant(date_from, settings.zone),
        end=filter_instant(date_to, settings.zone, end_of_day=True),
        stock_item_id=filter_id(stock_item_id),
        warehouse_id=filter_id(warehouse_id),
        movement_type=trim_to_none(movement_type),
    )
    return service.movement_history(session, filters, _both_pages(page, per_page))


@router.get("/turnover", response_model=TurnoverReport)
def get_turnover_report(
    session: SessionDep,
    settings: SettingsDep,
    identity: ReadScope,
    start_date: Annotated[str | None, Query(description="Default: 365 days before the end")] = None,
    end_date: Annotated[str | None, Query(description="Default: now; a date-only end is that whole day")] = None,
    item_id: IdFilter = None,
) -> dict:
    """Per item sold in the period: quantity sold, average stock, turnover rate, days on hand."""
    return service.turnover_report(
        session,
        start=filter_instant(start_date, settings.zone),
        end=filter_instant(end_date, settings.zone, end_of_day=True),
        item_id=filter_id(item_id),
    )


@router.get("/low-stock", response_model=LowStockReport)
def get_low_stock_report(session: SessionDep, identity: ReadScope, warehouse_id: IdFilter = None) -> dict:
    """Stock rows of active, trackable items whose on-hand is below the item's reorder point."""
    return service.low_stock_report(session, warehouse_id=filter_id(warehouse_id))
