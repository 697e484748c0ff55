"""`/api/v1/inventory/transfers` (inventory.md §5)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, status

from inventory.deps import ReadScope, SettingsDep, WriteScope
from inventory.routing import feature_router
from inventory.transfers import service
from inventory.transfers.schemas import TransferCreate, TransferCreated, TransferEnvelope, TransferList
from shared.db import SessionDep
from shared.pagination import PageDep
from shared.query import filter_instant

router = feature_router("/api/v1/inventory/transfers", tags=["inventory"])
DateFilter = Annotated[
    str | None, Query(description="Date or datetime on `moved_at`; a date-only end is that whole day")
]


@router.post("", response_model=TransferCreated, status_code=status.HTTP_201_CREATED)
def create_transfer(body: TransferCreate, session: SessionDep, identity: WriteScope) -> dict:
    """Move stock between two warehouses: an out and an in movement sharing a reference id,
    with their cost layers."""
    return service.create_transfer(session, body, actor=identity)


@router.get("", response_model=TransferList)
def list_transfers(
    session: SessionDep,
    settings: SettingsDep,
    page: PageDep,
    identity: ReadScope,
    date_from: DateFilter = None,
    date_to: DateFilter = None,
) -> dict:
    """Transfers, latest first, paginated over reference ids."""
    return service.list_transfers(
        session,
        page,
        start=filter_instant(date_from, settings.zone),
        end=filter_instant(date_to, settings.zone, end_of_day=True),
    )


@router.get("/{reference_id:int}", response_model=TransferEnvelope)
def get_transfer(reference_id: int, session: SessionDep, identity: ReadScope) -> dict:
    """One transfer with its two movements (out first)."""
    return service.get_transfer(session, reference_id)
