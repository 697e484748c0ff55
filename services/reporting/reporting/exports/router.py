"""`/api/v1/exports`: the payroll CSV (reporting.md §3, scope `read:reports`) and the time-entry
export (our addition, documented on its route; scope `read:time_entries`).

Neither declares a `response_model`: their bodies are files (CSV, JSON Lines), not JSON, and
the time-entry export streams its body after the handler has returned; their content types are
documented in `responses`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Response
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from reporting.deps import SettingsDep
from reporting.exports import service
from reporting.readmodel.freshness import FreshDep
from reporting.routing import feature_router
from shared.db import SessionDep, get_session
from shared.identity import IdentityDep

payroll_router = feature_router("/api/v1/exports", tags=["exports"], scope="read:reports")
time_entries_router = feature_router("/api/v1/exports", tags=["exports"], scope="read:time_entries")
ROUTERS = (payroll_router, time_entries_router)
# A streamed body is read after the handler has returned and the request's session has closed:
# the rest of the export reads through the request-scoped variant of the same dependency, which
# lives until the response is sent (and honours its overrides, e.g. the tests' transaction). The
# handler itself must not touch it: it opens when the body starts, after the request's session.
StreamSessionDep = Annotated[Session, Depends(get_session, scope="request")]
CSV_FILE = {200: {"content": {"text/csv": {}}, "description": "CSV file"}}
CSV_OR_JSONL_FILE = {200: {"content": {"text/csv": {}, "application/x-ndjson": {}}, "description": "CSV or JSON Lines"}}


def _attachment(filename: str) -> str:
    return f"attachment; filename={filename}"


@payroll_router.get("/payroll", response_class=Response, responses=CSV_FILE)
def export_payroll(
    identity: IdentityDep,
    fresh: FreshDep,
    session: SessionDep,
    start_date: Annotated[str | None, Query(description="Required, YYYY-MM-DD")] = None,
    end_date: Annotated[str | None, Query(description="Required, YYYY-MM-DD (inclusive)")] = None,
    user_id: Annotated[str | None, Query(description="Admins only; others always get their own rows")] = None,
    approved_only: Annotated[str | None, Query(description="`true`: only approved timesheet weeks")] = None,
    closed_only: Annotated[str | None, Query(description="`true`: only closed timesheet weeks")] = None,
) -> Response:
    """Hours of completed entries per user and ISO week (of the entry's start date in the app
    time zone), split billable / non-billable, as CSV sorted by week then username."""
    export = service.export_payroll(
        session,
        identity,
        start_date=start_date,
        end_date=end_date,
        user_id=user_id,
        approved_only=approved_only,
        closed_only=closed_only,
    )
    headers = {**fresh.headers, "Content-Disposition": _attachment(export.filename)}
    return Response(export.csv, media_type="text/csv; charset=utf-8", headers=headers)


@time_entries_router.get("/time-entries", response_class=StreamingResponse, responses=CSV_OR_JSONL_FILE)
def export_time_entries(
    identity: IdentityDep,
    fresh: FreshDep,
    session: SessionDep,
    stream_session: StreamSessionDep,
    settings: SettingsDep,
    project_id: Annotated[str | None, Query(description="Exact project id")] = None,
    user_id: Annotated[str | None, Query(description="Admins: any user; others: only their own id (else 403)")] = None,
    start_date: Annotated[str | None, Query(description="start_time ≥ this date/datetime")] = None,
    end_date: Annotated[str | None, Query(description="start_time ≤ this; a date covers that whole day")] = None,
    billable: Annotated[str | None, Query(description="`true`: billable only; any other value: non-billable")] = None,
    include_active: Annotated[str | None, Query(description="`true` includes running timers")] = None,
    format_name: Annotated[str | None, Query(alias="format", description="`csv` (default) or `jsonl`")] = None,
) -> StreamingResponse:
    """Platform addition (not upstream): every time entry `GET /api/v1/time-entries` lists for
    the same filters (same rules, same order: `start_time` descending, then `id` descending),
    without pagination, streamed.

    - `format=csv` (default, `text/csv`): header `id, user_id, user, project_id, project,
      task_id, task, client_id, client, start_time, end_time, duration_seconds, duration_hours,
      break_seconds, billable, paid, notes, tags, source`; values as in the entry object
      (datetimes `…Z`, booleans `true`/`false`, null as an empty cell).
    - `format=jsonl` (`application/x-ndjson`): one time-entry object per line.
    - Any other `format` → `400 validation_error`.

    `user`, `project`, `task` and `client` are the current names. The file is named
    `time_entries_<YYYYMMDD_HHMMSS UTC>.<csv|jsonl>`."""
    query = {"project_id": project_id, "user_id": user_id, "start_date": start_date, "end_date": end_date,
             "billable": billable, "include_active": include_active}  # fmt: skip
    export = service.start_time_entries_export(
        session, identity, query, format_name=format_name, zone=settings.zone, chunk_rows=settings.export_chunk_rows
    )
    headers = {**fresh.headers, "Content-Disposition": _attachment(export.filename)}
    body = service.stream_time_entries(stream_session, export)
    return StreamingResponse(body, media_type=export.format.media_type, headers=headers)
