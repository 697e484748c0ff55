"""`/api/v1/inventory/items`: stock items and their availability (inventory.md §3.1–§3.6)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, status

from inventory.deps import ReadScope, WriteScope
from inventory.items import service
from inventory.items.schemas import (
    ItemAvailability,
    ItemCreate,
    ItemEnvelope,
    ItemList,
    ItemMessageEnvelope,
    ItemUpdate,
)
from inventory.routing import feature_router
from inventory.schemas import MessageResponse
from shared.db import SessionDep
from shared.inputs import trim_to_none
from shared.pagination import PageDep
from shared.query import filter_id, is_true

router = feature_router("/api/v1/inventory/items", tags=["inventory"])


@router.get("", response_model=ItemList)
def list_items(
    session: SessionDep,
    page: PageDep,
    identity: ReadScope,
    search: Annotated[str | None, Query(description="Case-insensitive substring of SKU, name or barcode")] = None,
    category: Annotated[str | None, Query(description="Exact category")] = None,
    active_only: Annotated[str | None, Query(description="Only active items (default true)")] = None,
) -> dict:
    """Stock items ordered by name, with their stock totals."""
    return service.list_items(
        session,
        page,
        search=trim_to_none(search),
        category=trim_to_none(category),
        active_only=active_only is None or is_true(active_only),
    )


@router.get("/{item_id:id}", response_model=ItemEnvelope)
def get_item(item_id: int, session: SessionDep, identity: ReadScope) -> dict:
    """One stock item."""
    return service.get_item(session, item_id)


@router.post("", response_model=ItemMessageEnvelope, status_code=status.HTTP_201_CREATED)
def create_item(body: ItemCreate, session: SessionDep, identity: WriteScope) -> dict:
    """Create a stock item; `sku` (trimmed, upper-cased, unique) and `name` are required."""
    return service.create_item(session, body, actor=identity)


@router.patch("/{item_id:id}", response_model=ItemMessageEnvelope)
def update_item(item_id: int, body: ItemUpdate, session: SessionDep, identity: WriteScope) -> dict:
    """Partial update: only the keys present change; the SKU cannot change."""
    return service.update_item(session, item_id, body, actor=identity)


@router.put("/{item_id:id}", response_model=ItemMessageEnvelope)
def update_item_put(item_id: int, body: ItemUpdate, session: SessionDep, identity: WriteScope) -> dict:
    """Same partial semantics as PATCH (CONVENTIONS §1)."""
    return service.update_item(session, item_id, body, actor=identity)


@router.delete("/{item_id:id}", response_model=MessageResponse)
def delete_item(item_id: int, session: SessionDep, identity: WriteScope) -> dict:
    """Deactivate a stock item (soft delete)."""
    return service.deactivate_item(session, item_id, actor=identity)


@router.get("/{item_id:id}/availability", response_model=ItemAvailability)
def get_item_availability(
    item_id: int,
    session: SessionDep,
    identity: ReadScope,
    warehouse_id: Annotated[str | None, Query(description="One warehouse (ignored when not an id)")] = None,
) -> dict:
    """The item's stock row in each warehouse that has one."""
    return service.get_availability(session, item_id, warehouse_id=filter_id(warehouse_id))
