"""Warehouse use cases (inventory.md §2): list, get, create, update, deactivate — and the
lookup other features use to check a warehouse exists."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from inventory import events
from inventory.errors import DuplicateEntryError, WarehouseNotFoundError
from inventory.inputs import invalid, required
from inventory.models import Warehouse
from inventory.serializers import serialize_warehouse
from inventory.warehouses import repository
from inventory.warehouses.schemas import WarehouseCreate, WarehouseFields, WarehouseUpdate
from shared.identity import Identity
from shared.pagination import PageParams, paginate

# Columns that cannot hold null.
REQUIRED = ("name", "code")


def warehouse_or_404(session: Session, warehouse_id: int, *, lock: bool = False) -> Warehouse:
    warehouse = session.get(Warehouse, warehouse_id, with_for_update=lock)
    if warehouse is None:
        raise WarehouseNotFoundError(warehouse_id)
    return warehouse


def warehouses_by_id(session: Session, ids: set[int]) -> dict[int, Warehouse]:
    if not ids:
        return {}
    return {w.id: w for w in session.scalars(select(Warehouse).where(Warehouse.id.in_(ids)))}


def list_warehouses(session: Session, page: PageParams, *, active_only: bool) -> dict[str, Any]:
    warehouses, pagination = paginate(session, repository.list_statement(active_only=active_only), page)
    return {"items": [serialize_warehouse(w) for w in warehouses], "pagination": pagination}


def get_warehouse(session: Session, warehouse_id: int) -> dict[str, Any]:
    return {"warehouse": serialize_warehouse(warehouse_or_404(session, warehouse_id))}


def _duplicate(code: str) -> DuplicateEntryError:
    return DuplicateEntryError(f"A warehouse with code '{code}' already exists")


def _flush_unique(session: Session, code: str) -> None:
    """A concurrent write of the same code loses at the unique index: same answer as the check."""
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise _duplicate(code) from exc


def _apply(warehouse: Warehouse, body: WarehouseFields, fields: set[str]) -> None:
    for field in fields:
        value = getattr(body, field)
        if field in REQUIRED and value is None:
            raise invalid(field, f"{field} must not be empty")
        if field == "is_active" and value is None:
            continue
        setattr(warehouse, field, value)


def create_warehouse(session: Session, body: WarehouseCreate, *, actor: Identity) -> dict[str, Any]:
    required({"name": body.name, "code": body.code})
    if repository.code_taken(session, body.code):
        raise _duplicate(body.code)
    warehouse = Warehouse(created_by=actor.user_id, is_active=True)
    _apply(warehouse, body, body.model_fields_set)
    session.add(warehouse)
    _flush_unique(session, warehouse.code)
    data = serialize_warehouse(warehouse)
    events.emit(session, "warehouse", "created", entity_id=warehouse.id, data=data, actor=actor)
    return {"message": "Warehouse created successfully", "warehouse": data}


def update_warehouse(session: Session, warehouse_id: int, body: WarehouseUpdate, *, actor: Identity) -> dict[str, Any]:
    warehouse = warehouse_or_404(session, warehouse_id, lock=True)
    fields = body.model_fields_set
    if body.code is not None and repository.code_taken(session, body.code, exclude_id=warehouse.id):
        raise _duplicate(body.code)
    _apply(warehouse, body, fields)
    _flush_unique(session, warehouse.code)
    data = serialize_warehouse(warehouse)
    events.emit(session, "warehouse", "updated", entity_id=warehouse.id, data=data, actor=actor)
    return {"message": "Warehouse updated successfully", "warehouse": data}


def deactivate_warehouse(session: Session, warehouse_id: int, *, actor: Identity) -> dict[str, Any]:
    """Soft delete: `is_active = false`; the stock and history stay (an `updated` event)."""
    warehouse = warehouse_or_404(session, warehouse_id, lock=True)
    warehouse.is_active = False
    session.flush()
    events.emit(
        session, "warehouse", "updated", entity_id=warehouse.id, data=serialize_warehouse(warehouse), actor=actor
    )
    return {"message": "Warehouse deactivated successfully"}
