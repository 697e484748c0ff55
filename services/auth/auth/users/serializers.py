"""The user object of auth.md §1.2, the admin detail view, and the event payload."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from auth.models import User
from auth.settings import AuthSettings
from auth.users.rules import (
    DATE_FORMATS,
    DEFAULT_DATE_FORMAT,
    DEFAULT_TIME_FORMAT,
    TIME_FORMATS,
    is_valid_timezone,
    pick,
    presence,
)
from shared.db import utcnow
from shared.timefmt import iso_utc


def display_name(user: User) -> str:
    full = (user.full_name or "").strip()
    return full or user.username


def avatar_url(user: User) -> str | None:
    return f"/uploads/avatars/{user.avatar_filename}" if user.avatar_filename else None


def total_hours(user: User) -> float:
    return round((user.total_seconds or 0) / 3600, 2)


def _stored_identity(user: User) -> dict[str, Any]:
    """The fields the API object and the event payload share."""
    return {
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "full_name": user.full_name,
        "display_name": display_name(user),
        "role": user.role,
        "is_admin": user.is_admin,
        "created_at": iso_utc(user.created_at),
        "last_login": iso_utc(user.last_login),
        "is_active": user.is_active,
        "avatar_url": avatar_url(user),
        "standard_hours_per_day": user.standard_hours_per_day,
        "overtime_include_weekends": user.overtime_include_weekends,
    }


def serialize_user(user: User, settings: AuthSettings, *, now: datetime | None = None) -> dict[str, Any]:
    return _stored_identity(user) | {
        "total_hours": total_hours(user),
        "status": presence(user.last_login, now or utcnow()),
        "date_format": pick(user.date_format, settings.date_format, DATE_FORMATS, DEFAULT_DATE_FORMAT),
        "time_format": pick(user.time_format, settings.time_format, TIME_FORMATS, DEFAULT_TIME_FORMAT),
        "timezone": user.timezone if is_valid_timezone(user.timezone) else settings.timezone,
    }


def _preferences(user: User) -> dict[str, Any]:
    return {
        "week_start_day": user.week_start_day,
        "time_rounding_enabled": user.time_rounding_enabled,
        "time_rounding_minutes": user.time_rounding_minutes,
        "time_rounding_method": user.time_rounding_method,
        "github_username": user.github_username,
        "slack_user_id": user.slack_user_id,
        "assigned_client_ids": list(user.assigned_client_ids or []),
    }


def serialize_user_detail(user: User, settings: AuthSettings) -> dict[str, Any]:
    """Admin views: the §1.2 object plus the stored preferences an admin can change."""
    return serialize_user(user, settings) | _preferences(user)


def user_event_data(user: User) -> dict[str, Any]:
    """`tt.auth.user.*` payload: the stored state (raw preferences; no derived presence)."""
    return _stored_identity(user) | {
        "timezone": user.timezone,
        "date_format": user.date_format,
        "time_format": user.time_format,
        **_preferences(user),
    }
