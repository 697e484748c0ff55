"""`/api/v1/inventory/stock-levels` (inventory.md §3.7)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from inventory.deps import ReadScope
from inventory.routing import feature_router
from inventory.stock_levels import service
from inventory.stock_levels.schemas import StockLevelList
from shared.db import SessionDep
from shared.inputs import trim_to_none
from shared.query import filter_id

router = feature_router("/api/v1/inventory/stock-levels", tags=["inventory"])
IdFilter = Annotated[str | None, Query(description="Ignored when not an id")]


@router.get("", response_model=StockLevelList)
def list_stock_levels(
    session: SessionDep,
    identity: ReadScope,
    warehouse_id: IdFilter = None,
    stock_item_id: IdFilter = None,
    category: Annotated[str | None, Query(description="The item's exact category")] = None,
) -> dict:
    """Stock levels ordered by warehouse code, then item name (not paginated)."""
    return service.list_stock_levels(
        session,
        warehouse_id=filter_id(warehouse_id),
        stock_item_id=filter_id(stock_item_id),
        category=trim_to_none(category),
    )
