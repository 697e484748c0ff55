"""Token introspection, usage write-behind and the global module view, for the gateway; the
user lookup of the connectors (integrations service)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from auth.internal import repository
from auth.internal.schemas import TokenUsage
from auth.models import ADMIN_ROLES, User
from auth.modules import enabled_modules, modules_off
from auth.settings import AuthSettings
from shared.errors import ValidationError
from shared.identity import parse_scopes
from shared.timefmt import as_utc, iso_utc


def introspect(session: Session, token_hash: str, *, settings: AuthSettings) -> dict[str, Any]:
    row = repository.find_by_hash(session, token_hash.strip().lower())
    if row is None:
        return {"found": False}
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
        "user": _access_view(
            user_id=row.user_id,
            username=row.username,
            role=row.role,
            is_active=row.user_is_active,
            assigned_client_ids=row.assigned_client_ids,
            settings=settings,
        ),
    }


def _access_view(
    *,
    user_id: int,
    username: str,
    role: str,
    is_active: bool,
    assigned_client_ids: list[int] | None,
    settings: AuthSettings,
) -> dict[str, Any]:
    """What a user may do, as the gateway forwards it in the identity: one computation for
    introspection and the connectors' user lookup."""
    is_admin = role in ADMIN_ROLES
    return {
        "id": user_id,
        "username": username,
        "is_admin": is_admin,
        "is_active": is_active,
        "role": role,
        "assigned_client_ids": sorted(assigned_client_ids or ()),
        "modules_off": modules_off(disabled=settings.disabled_modules, is_admin=is_admin),
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


def _connector_view(user: User, settings: AuthSettings) -> dict[str, Any]:
    access = _access_view(
        user_id=user.id,
        username=user.username,
        role=user.role,
        is_active=user.is_active,
        assigned_client_ids=user.assigned_client_ids,
        settings=settings,
    )
    return access | {
        "full_name": user.full_name,
        "email": user.email,
        "timezone": user.timezone,
        "github_username": user.github_username,
        "slack_user_id": user.slack_user_id,
    }


def _criteria(user_id: int | None, github_username: str | None, admin: bool) -> list[str]:
    given = {"user_id": user_id is not None, "github_username": github_username is not None, "admin": admin}
    return [name for name, present in given.items() if present]


def find_user(
    session: Session,
    *,
    user_id: int | None,
    github_username: str | None,
    admin: bool,
    settings: AuthSettings,
) -> dict[str, Any]:
    """Exactly one criterion: an id (inactive users included: the caller checks `is_active`),
    a GitHub login (case-insensitive, active users, lowest id), or `admin` (the first active
    admin by id, the fallback creator of a connector's task)."""
    given = _criteria(user_id, github_username, admin)
    if len(given) != 1:
        message = "Give exactly one of user_id, github_username, admin=true"
        raise ValidationError({name: [message] for name in given or ["user_id"]}, message)
    if user_id is not None:
        user = repository.user_by_id(session, user_id)
    elif github_username is not None:
        login = github_username.strip()
        if not login:
            raise ValidationError({"github_username": ["Must not be blank"]}, "github_username must not be blank")
        user = repository.active_user_by_github_login(session, login)
    else:
        user = repository.first_active_admin(session, ADMIN_ROLES)
    return {"user": None if user is None else _connector_view(user, settings)}
