"""Google Calendar sync (integrations.md §5.5): calendar events become the owner's time entries
(import), the owner's new entries become calendar events (export), on demand and from the
scheduled job.

A sync holds its integration's row lock while it waits on Google: that serializes the syncs of
one user (a manual sync and the job, or two replicas' jobs), so an event is not imported twice
and the export window is not read twice before either stamps `last_sync_at`. The job syncs each
integration in a transaction of its own, so no lock is ever held across users, and rows locked
elsewhere are skipped, not waited for."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from integrations.connectors import records
from integrations.connectors.context import Connectors
from integrations.connectors.outbound import ProviderError
from integrations.connectors.platform import PlatformUnavailableError, PlatformUser
from integrations.connectors.results import NOT_CONFIGURED, ConnectorError, failure, not_configured
from integrations.google import calendar, mapping, repository, tokens
from integrations.models import Integration

log = logging.getLogger(__name__)
OWNER_UNAVAILABLE = "The integration's owner is inactive or unknown"
EXPORT_LIMIT = 200


@dataclass
class SyncRun:
    """One sync's counts so far."""

    imported: int = 0
    skipped: int = 0
    exported: int = 0
    errors: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, Any]:
        return {"imported": self.imported, "skipped": self.skipped, "exported": self.exported, "errors": self.errors}


def sync_for_user(session: Session, user_id: int, *, connectors: Connectors) -> dict[str, Any]:
    row = records.find(session, records.GOOGLE, user_id, lock=True)
    if row is None:
        raise ConnectorError(404, NOT_CONFIGURED)
    return sync_integration(session, row, connectors=connectors)


def sync_integration(session: Session, row: Integration, *, connectors: Connectors) -> dict[str, Any]:
    """One sync of a locked row; afterwards (whatever the outcome) `last_sync_at` is now and
    `last_sync_status` says whether everything went through."""
    if not row.is_active:
        return not_configured()
    now = datetime.now(UTC)
    run = SyncRun()
    try:
        result = _sync(row, run, connectors, now)
    except Exception:
        log.exception("google sync of integration %s failed", row.id)
        result = failure("The sync failed unexpectedly", **run.counts())
    _stamp(row, result, now, connectors)
    return result


def _sync(row: Integration, run: SyncRun, connectors: Connectors, now: datetime) -> dict[str, Any]:
    since = _previous_sync(row)
    try:
        owner = connectors.platform.active_user(row.user_id)
        if owner is None:
            return failure(OWNER_UNAVAILABLE, **run.counts())
        token = tokens.access_token(row, connectors, now=now)
        config = mapping.with_settings(records.config_of(row), {})
        if config["sync_direction"] in ("import", "both"):
            _import(run, owner, token, config, connectors, now)
        if config["sync_direction"] in ("export", "both"):
            since = since or now - timedelta(days=config["sync_days_back"])
            _export(run, owner, token, config, connectors, since)
    except calendar.TokenRejectedError as rejected:
        tokens.mark_rejected(row, connectors)
        return failure(str(rejected), **run.counts())
    except (tokens.GoogleAuthError, PlatformUnavailableError, ProviderError) as failed:
        return failure(str(failed), **run.counts())
    return {"ok": True, **run.counts()}


def _previous_sync(row: Integration) -> datetime | None:
    return row.last_sync_at or mapping.parse_moment(records.config_of(row).get("last_sync_at"))


def _import(
    run: SyncRun, owner: PlatformUser, token: str, config: dict[str, Any], connectors: Connectors, now: datetime
) -> None:
    project_id = config["default_project_id"]
    if project_id is None:
        run.errors.append("default_project_id not configured")
        return
    window = mapping.import_window(now, config["sync_days_back"])
    try:
        items = calendar.list_events(connectors, token, config["calendar_id"], window)
    except ProviderError as failed:
        run.errors.append(f"events list: {failed}")
        return
    batch = mapping.importable(items)
    run.skipped += batch.skipped
    if not batch.events:
        return
    body = {"project_id": project_id, "events": batch.events}
    answer = connectors.platform.tracking("POST", "/internal/connectors/entries/import", owner, json=body)
    if not answer.ok:
        run.errors.append(f"import: {answer.message}")
        return
    run.imported += int(answer.body.get("imported") or 0)
    run.skipped += int(answer.body.get("skipped") or 0)


def _export(
    run: SyncRun, owner: PlatformUser, token: str, config: dict[str, Any], connectors: Connectors, since: datetime
) -> None:
    params = {"since": mapping.iso_z(since), "limit": EXPORT_LIMIT}
    answer = connectors.platform.tracking("GET", "/internal/connectors/entries/export", owner, params=params)
    if not answer.ok:
        run.errors.append(f"export: {answer.message}")
        return
    for entry in answer.body.get("entries") or []:
        event = mapping.exported_event(entry)
        if event is None:
            run.errors.append(f"entry {entry.get('id')}: unreadable start or end")
            continue
        code = calendar.insert_event(connectors, token, config["calendar_id"], event)
        if code in (200, 201):
            run.exported += 1
        else:
            run.errors.append(f"entry {entry.get('id')}: HTTP {code}")


def _stamp(row: Integration, result: dict[str, Any], now: datetime, connectors: Connectors) -> None:
    config = records.config_of(row)
    config["last_sync_at"] = now.isoformat()
    records.save_config(row, config, connectors.box)
    row.last_sync_at = now
    row.last_sync_status = "success" if result.get("ok") and not result.get("errors") else "partial"


def sync_due_integrations(sessions: sessionmaker[Session], connectors: Connectors) -> None:
    """The scheduled job: every active integration whose last sync is older than
    `connector_job_interval_seconds` (or that never synced), each in its own transaction and
    error boundary, so one broken token cannot block the others."""
    interval = timedelta(seconds=connectors.settings.connector_job_interval_seconds)
    tried: set[int] = set()
    while True:
        with sessions() as session:
            row = repository.next_due(session, synced_before=datetime.now(UTC) - interval, passed=tried)
            if row is None:
                return
            row_id = row.id
            tried.add(row_id)
            try:
                sync_integration(session, row, connectors=connectors)
                session.commit()
            except Exception:
                session.rollback()
                log.exception("google sync job: integration %s failed", row_id)
