"""Pure user rules: field validation (auth.md §1.1, §4), display defaults and presence (§1.2)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from auth.models import ROLES
from shared.errors import ValidationError
from shared.inputs import email_address

USERNAME_MAX = 80
PASSWORD_MIN = 8
DATE_FORMATS = ("YYYY-MM-DD", "MM/DD/YYYY", "DD/MM/YYYY", "DD.MM.YYYY")
TIME_FORMATS = ("24h", "12h")
ROUNDING_MINUTES = (1, 5, 10, 15, 30, 60)
ROUNDING_METHODS = ("nearest", "up", "down")
DEFAULT_DATE_FORMAT = "YYYY-MM-DD"
DEFAULT_TIME_FORMAT = "24h"
ONLINE_WINDOW = timedelta(minutes=15)
AWAY_WINDOW = timedelta(hours=1)

# Fields that may be set to null (stored as NULL, never as an empty string).
NULLABLE = frozenset(
    {"email", "full_name", "timezone", "date_format", "time_format", "github_username", "slack_user_id"}
)


class Invalid(ValueError):
    pass


@lru_cache(maxsize=1024)
def is_valid_timezone(name: str | None) -> bool:
    if not name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def presence(last_login: datetime | None, now: datetime) -> str:
    if last_login is None:
        return "offline"
    age = now - last_login
    if age <= ONLINE_WINDOW:
        return "online"
    return "away" if age <= AWAY_WINDOW else "offline"


def pick(user_value: str | None, system_value: str | None, allowed: tuple[str, ...], fallback: str) -> str:
    for candidate in (user_value, system_value):
        if candidate in allowed:
            return candidate
    return fallback


def normalize_username(raw: Any) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise Invalid("Username is required")
    name = raw.strip().lower()
    if len(name) > USERNAME_MAX:
        raise Invalid(f"Username must be at most {USERNAME_MAX} characters")
    return name


def _text(limit: int) -> Callable[[Any], str]:
    def check(value: str) -> str:
        value = value.strip()
        if len(value) > limit:
            raise Invalid(f"Must be at most {limit} characters")
        return value

    return check


def _choice(allowed: tuple) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if value not in allowed:
            raise Invalid(f"Must be one of: {', '.join(map(str, allowed))}")
        return value

    return check


def _email(value: str) -> str:
    value = value.strip()
    if len(value) > 200:
        raise Invalid("Must be at most 200 characters")
    try:
        return email_address(value)
    except ValueError as exc:
        raise Invalid(str(exc)) from exc


def _password(value: str) -> str:
    if len(value) < PASSWORD_MIN:
        raise Invalid(f"Password must be at least {PASSWORD_MIN} characters")
    return value


def _timezone(value: str) -> str:
    value = value.strip()
    if not is_valid_timezone(value):
        raise Invalid("Unknown time zone")
    return value


def _week_day(value: int) -> int:
    if not 0 <= value <= 6:
        raise Invalid("Must be between 0 (Sunday) and 6 (Saturday)")
    return value


def _hours(value: float) -> float:
    if not 0 < value <= 24:
        raise Invalid("Must be greater than 0 and at most 24")
    return float(value)


def _client_ids(value: list[int]) -> list[int]:
    if any(v < 1 for v in value):
        raise Invalid("Client ids must be positive integers")
    return list(dict.fromkeys(value))


def _same(value: Any) -> Any:
    return value


CHECKS: dict[str, Callable[[Any], Any]] = {
    "email": _email,
    "full_name": _text(200),
    "role": _choice(ROLES),
    "is_active": _same,
    "password": _password,
    "timezone": _timezone,
    "date_format": _choice(DATE_FORMATS),
    "time_format": _choice(TIME_FORMATS),
    "week_start_day": _week_day,
    "standard_hours_per_day": _hours,
    "overtime_include_weekends": _same,
    "time_rounding_enabled": _same,
    "time_rounding_minutes": _choice(ROUNDING_MINUTES),
    "time_rounding_method": _choice(ROUNDING_METHODS),
    "github_username": _text(100),
    "slack_user_id": _text(100),
    "assigned_client_ids": _client_ids,
}


def clean_fields(values: dict[str, Any], errors: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """Validate and normalize the given fields; raises one ValidationError listing every bad field."""
    errors = {} if errors is None else errors
    clean: dict[str, Any] = {}
    for field, value in values.items():
        check = CHECKS.get(field)
        if check is None:
            continue
        if value is None and field == "assigned_client_ids":
            clean[field] = []
            continue
        if value is None or (field in NULLABLE and isinstance(value, str) and not value.strip()):
            if field in NULLABLE:
                clean[field] = None
            else:
                errors.setdefault(field, []).append(f"{field} may not be null")
            continue
        try:
            clean[field] = check(value)
        except Invalid as exc:
            errors.setdefault(field, []).append(str(exc))
    if errors:
        raise ValidationError(errors)
    return clean


def clean_new_user(values: dict[str, Any]) -> dict[str, Any]:
    """Create: `username` and `password` required, `role` defaults to `user`."""
    errors: dict[str, list[str]] = {}
    username = None
    try:
        username = normalize_username(values.get("username"))
    except Invalid as exc:
        errors["username"] = [str(exc)]
    if values.get("password") is None:
        errors["password"] = ["Password is required"]
    present = {k: v for k, v in values.items() if k != "username" and (v is not None or k in NULLABLE)}
    present.setdefault("role", "user")
    clean = clean_fields(present, errors)
    return {"username": username, **clean}
