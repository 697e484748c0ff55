"""`POST /api/v1/time-entries/bulk`: one action on many time entries (tracking.md §4.7)."""

from __future__ import annotations

from typing import Annotated

from shared.db import SessionDep
from shared.identity import Identity, requires
from tracking.bulk import service
from tracking.bulk.schemas import BulkBody, BulkResult
from tracking.routing import feature_router

router = feature_router("/api/v1/time-entries", tags=["time entries"])
WriteScope = Annotated[Identity, requires("write:time_entries")]


@router.post("/bulk", response_model=BulkResult)
def bulk_update_time_entries(body: BulkBody, session: SessionDep, identity: WriteScope) -> dict:
    """Delete, set billable/paid, or add/remove a tag on several entries. Unknown ids are
    ignored and running timers skipped; a standard user naming anyone else's entry changes
    nothing (403)."""
    return service.apply_bulk_action(session, body, actor=identity)
