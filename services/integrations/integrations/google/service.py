"""Settings, status and the access test of the Google connector (integrations.md §5.4)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from integrations.connectors import records
from integrations.connectors.context import Connectors
from integrations.connectors.outbound import ProviderError
from integrations.connectors.results import NOT_CONFIGURED, ConnectorError, test_failed
from integrations.google import calendar, mapping, tokens


def save_settings(session: Session, user_id: int, fields: dict[str, Any], *, connectors: Connectors) -> dict[str, Any]:
    """Store the sync settings (lenient, §5.4); the row is created inactive when it is the first
    save. Connecting stays the OAuth flow's job."""
    row = records.find_or_create(session, records.GOOGLE, user_id)
    records.save_config(row, mapping.with_settings(records.config_of(row), fields), connectors.box)
    return {"ok": True, "is_active": row.is_active}


def status(session: Session, user_id: int) -> dict[str, Any]:
    """A settings snapshot; of the tokens only whether one is stored."""
    row = records.find(session, records.GOOGLE, user_id)
    if row is None:
        return {"ok": True, "connected": False}
    config = mapping.with_settings(records.config_of(row), {})
    return {
        "ok": True,
        "connected": records.has(row, "access_token"),
        "email": config.get("email"),
        "calendar_id": config["calendar_id"],
        "sync_direction": config["sync_direction"],
        "default_project_id": config["default_project_id"],
        "sync_days_back": config["sync_days_back"],
        "last_sync_at": config.get("last_sync_at"),
        "is_active": row.is_active,
    }


def test_access(session: Session, user_id: int, *, connectors: Connectors) -> dict[str, Any]:
    """Refresh if needed, then list the account's calendars."""
    row = records.find(session, records.GOOGLE, user_id, lock=True)
    if row is None:
        raise ConnectorError(404, NOT_CONFIGURED)
    if not row.is_active:
        return test_failed(NOT_CONFIGURED)
    try:
        count = calendar.count_calendars(connectors, tokens.access_token(row, connectors))
    except calendar.TokenRejectedError as rejected:
        tokens.mark_rejected(row, connectors)
        return test_failed(str(rejected))
    except (tokens.GoogleAuthError, ProviderError) as failed:
        return test_failed(str(failed))
    return {"success": True, "message": f"Connected ({count} calendars)"}
