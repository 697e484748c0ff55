"""`/internal/connectors/*`: what the integrations service's connectors need from tracking. The
caller signs a platform identity (`service`) carrying the connector's owner, for whom each
route acts; hidden from the OpenAPI. Timers go through the public `/api/v1/timer/*` routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Query

from shared.db import SessionDep
from shared.identity import Identity, internal
from tracking.connectors import service
from tracking.connectors.schemas import (
    EntriesExport,
    EntriesImport,
    EntriesImportResult,
    ProjectResolution,
    TaskComplete,
    TaskCompleteResult,
    TaskUpsert,
    TaskUpsertResult,
    TodaySummary,
)
from tracking.deps import SettingsDep
from tracking.routing import feature_router

router = feature_router("/internal/connectors", tags=["internal"], include_in_schema=False)
Caller = Annotated[Identity, internal()]
MAX_EXPORT = 200


@router.post("/tasks/upsert", response_model=TaskUpsertResult)
def upsert_task(body: TaskUpsert, session: SessionDep, settings: SettingsDep, identity: Caller) -> dict:
    """Create the project's task with this `external_ref`, or update it (`update_existing`)."""
    return service.upsert_task(session, body, actor=identity, settings=settings)


@router.post("/tasks/complete", response_model=TaskCompleteResult)
def complete_task(body: TaskComplete, session: SessionDep, settings: SettingsDep, identity: Caller) -> dict:
    """Mark the task with this `external_ref` (any project, lowest id) done."""
    return service.complete_task(session, body, actor=identity, settings=settings)


@router.post("/entries/import", response_model=EntriesImportResult)
def import_entries(body: EntriesImport, session: SessionDep, settings: SettingsDep, identity: Caller) -> dict:
    """Calendar events as completed entries of the owner, each event once."""
    return service.import_entries(session, body, actor=identity, settings=settings)


@router.get("/entries/export", response_model=EntriesExport)
def export_entries(
    session: SessionDep,
    identity: Caller,
    since: Annotated[datetime, Query()],
    limit: Annotated[int, Query(ge=1, le=MAX_EXPORT)] = MAX_EXPORT,
) -> dict:
    """The owner's completed entries created since `since`, oldest first, imported ones left out."""
    return service.export_entries(session, identity, since=since, limit=limit)


@router.get("/today", response_model=TodaySummary)
def get_today_summary(session: SessionDep, settings: SettingsDep, identity: Caller, tz: str | None = None) -> dict:
    """Hours and distinct projects of the owner's completed entries started today in `tz`."""
    return service.today_summary(session, identity, tz=tz, settings=settings)


@router.get("/projects/resolve", response_model=ProjectResolution)
def resolve_project(session: SessionDep, identity: Caller, q: str = "") -> dict:
    """An active project in the owner's scope, by id or by a part of its name."""
    return service.resolve_project(session, identity, q=q)
