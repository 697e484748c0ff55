"""`/api/v1/time-entries`: the time-entry resource (tracking.md §4.1–§4.5)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Body, Header, Query
from fastapi.responses import JSONResponse

from shared.db import SessionDep
from shared.identity import Identity, requires
from shared.pagination import PageDep
from tracking.deps import SettingsDep
from tracking.entries import service
from tracking.entries.filters import RawEntryFilters
from tracking.entries.schemas import (
    EntryCreate,
    EntryDelete,
    EntryEnvelope,
    EntryList,
    EntryMessageEnvelope,
    EntryUpdate,
    openapi_body,
)
from tracking.routing import feature_router
from tracking.schemas import MessageResponse

router = feature_router("/api/v1/time-entries", tags=["time entries"])
ReadScope = Annotated[Identity, requires("read:time_entries")]
WriteScope = Annotated[Identity, requires("write:time_entries")]
# Validated by the service: a replayed create must not look at the body, an update answers 404/403 first.
RawBody = Annotated[dict[str, Any], Body()]


@router.get("", response_model=EntryList)
def list_time_entries(
    session: SessionDep,
    page: PageDep,
    identity: ReadScope,
    settings: SettingsDep,
    project_id: Annotated[str | None, Query(description="Exact project id")] = None,
    user_id: Annotated[str | None, Query(description="Admins: any user; others: only their own id (else 403)")] = None,
    start_date: Annotated[str | None, Query(description="start_time ≥ this date/datetime")] = None,
    end_date: Annotated[str | None, Query(description="start_time ≤ this; a date covers that whole day")] = None,
    billable: Annotated[str | None, Query(description="`true`: billable only; any other value: non-billable")] = None,
    include_active: Annotated[str | None, Query(description="`true` includes running timers")] = None,
) -> dict:
    """Entries newest start first; standard users see their own. Unparseable filters are ignored."""
    raw = RawEntryFilters(project_id, user_id, start_date, end_date, billable, include_active)
    return service.list_entries(session, identity, page, raw, settings=settings)


@router.get("/{entry_id:id}", response_model=EntryEnvelope)
def get_time_entry(entry_id: int, session: SessionDep, identity: ReadScope) -> dict:
    """One entry; 403 for another user's entry unless the caller is an admin."""
    return service.get_entry(session, entry_id, identity)


@router.post(
    "", response_model=EntryMessageEnvelope, status_code=201, openapi_extra=openapi_body(EntryCreate, required=False)
)
def create_time_entry(
    body: RawBody,
    session: SessionDep,
    identity: WriteScope,
    settings: SettingsDep,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> JSONResponse:
    """Create an entry; without `end_time` it starts a running timer. A repeated
    `Idempotency-Key` (same token, 24 h) replays the first 201 instead of creating again."""
    status, out = service.create_time_entry(
        session, body, actor=identity, settings=settings, idempotency_key=idempotency_key
    )
    return JSONResponse(out, status_code=status)


@router.patch("/{entry_id:id}", response_model=EntryMessageEnvelope, openapi_extra=openapi_body(EntryUpdate))
def update_time_entry(
    entry_id: int, body: RawBody, session: SessionDep, identity: WriteScope, settings: SettingsDep
) -> dict:
    """Partial update by the owner or an admin: keys sent as null are ignored, `""` clears a text."""
    return service.update_entry(session, entry_id, body, actor=identity, settings=settings)


@router.put("/{entry_id:id}", response_model=EntryMessageEnvelope, openapi_extra=openapi_body(EntryUpdate))
def update_time_entry_put(
    entry_id: int, body: RawBody, session: SessionDep, identity: WriteScope, settings: SettingsDep
) -> dict:
    """Same partial semantics as PATCH (CONVENTIONS §1)."""
    return service.update_entry(session, entry_id, body, actor=identity, settings=settings)


@router.delete("/{entry_id:id}", response_model=MessageResponse)
def delete_time_entry(
    entry_id: int, session: SessionDep, identity: WriteScope, body: Annotated[EntryDelete | None, Body()] = None
) -> dict:
    """Delete a completed entry (a running timer must be stopped first); the body may carry a `reason`."""
    return service.delete_entry(session, entry_id, body, actor=identity)
