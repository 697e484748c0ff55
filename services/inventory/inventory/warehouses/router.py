"""`/api/v1/inventory/warehouses`: the list (§2.1) and the platform's warehouse management (§2.2)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, status

from inventory.deps import ReadScope, WriteScope
from inventory.routing import feature_router
from inventory.schemas import MessageResponse
from inventory.warehouses import service
from inventory.warehouses.schemas import (
    WarehouseCreate,
    WarehouseEnvelope,
    WarehouseList,
    WarehouseMessageEnvelope,
    WarehouseUpdate,
)
from shared.db import SessionDep
from shared.pagination import PageDep
from shared.query import is_true

router = feature_router("/api/v1/inventory/warehouses", tags=["inventory"])
ActiveOnly = Annotated[str | None, Query(description="Only active warehouses (default true; only `true` keeps it)")]


@router.get("", response_model=WarehouseList)
def list_warehouses(session: SessionDep, page: PageDep, identity: ReadScope, active_only: ActiveOnly = None) -> dict:
    """Warehouses ordered by code."""
    return service.list_warehouses(session, page, active_only=active_only is None or is_true(active_only))


@router.get("/{warehouse_id:id}", response_model=WarehouseEnvelope)
def get_warehouse(warehouse_id: int, session: SessionDep, identity: ReadScope) -> dict:
    """One warehouse."""
    return service.get_warehouse(session, warehouse_id)


@router.post("", response_model=WarehouseMessageEnvelope, status_code=status.HTTP_201_CREATED)
def create_warehouse(body: WarehouseCreate, session: SessionDep, identity: WriteScope) -> dict:
    """Create a warehouse; `name` and `code` are required, `code` is unique (409)."""
    return service.create_warehouse(session, body, actor=identity)


@router.patch("/{warehouse_id:id}", response_model=WarehouseMessageEnvelope)
def update_warehouse(warehouse_id: int, body: WarehouseUpdate, session: SessionDep, identity: WriteScope) -> dict:
    """Partial update: only the keys present change."""
    return service.update_warehouse(session, warehouse_id, body, actor=identity)


@router.put("/{warehouse_id:id}", response_model=WarehouseMessageEnvelope)
def update_warehouse_put(warehouse_id: int, body: WarehouseUpdate, session: SessionDep, identity: WriteScope) -> dict:
    """Same partial semantics as PATCH (CONVENTIONS §1)."""
    return service.update_warehouse(session, warehouse_id, body, actor=identity)


@router.delete("/{warehouse_id:id}", response_model=MessageResponse)
def delete_warehouse(warehouse_id: int, session: SessionDep, identity: WriteScope) -> dict:
    """Deactivate a warehouse (soft delete)."""
    return service.deactivate_warehouse(session, warehouse_id, actor=identity)
