"""Token introspection, usage write-behind and the global module view, for the gateway."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from auth.internal import repository
from auth.internal.schemas import TokenUsage
from auth.models import ADMIN_ROLES
from auth.modules import enabled_modules, modules_off
from auth.settings import AuthSettings
from shared.identity import parse_scopes
from shared.timefmt import as_utc, iso_utc


def introspect(session: Session, token_hash: str, *, settings: AuthSettings) -> dict[str, Any]:
    row = repository.find_by_hash(session, token_hash.strip().lower())
    if row is None:
        return {"found": False}
    is_admin = row.role in ADMIN_ROLES
    return {
        "found": True,
        "token": {
            "id": row.id,
            "user_id": row.user_id,
            "scopes": parse_scopes(row.scopes),
            "is_active": row.is_active,
            "expires_at": iso_utc(row.expires_at),
            "ip_whitelist": row.ip_whitelist,
        },
        "user": {
            "id": row.user_id,
            "username": row.username,
            "is_admin": is_admin,
            "is_active": row.user_is_active,
            "role": row.role,
            "assigned_client_ids": sorted(row.assigned_client_ids or ()),
            "modules_off": modules_off(disabled=settings.disabled_modules, is_admin=is_admin),
        },
    }


def record_usage(session: Session, usage: list[TokenUsage]) -> dict[str, int]:
    """Merge the batch per token (sum of counts, latest time) and apply it in one statement."""
    merged: dict[int, tuple[int, datetime]] = {}
    for item in usage:
        used_at = as_utc(item.last_used_at)
        count, latest = merged.get(item.token_id, (0, used_at))
        merged[item.token_id] = (count + item.count, max(latest, used_at))
    rows = [(token_id, count, used_at) for token_id, (count, used_at) in sorted(merged.items())]
    return {"updated": repository.add_usage(session, rows)}


def global_modules(settings: AuthSettings) -> dict[str, list[str]]:
    return {"enabled_modules": enabled_modules(disabled=settings.disabled_modules, is_admin=False)}
