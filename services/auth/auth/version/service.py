"""Admin version check and dismissal (auth.md §6)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from auth.access import current_user
from auth.errors import AdminOnlyError
from auth.models import User
from auth.settings import AuthSettings
from auth.version.releases import ReleaseChecker
from auth.version.rules import parse_version, strip_version, update_available
from shared.errors import DatabaseError, ValidationError
from shared.identity import Identity


def installed_version(settings: AuthSettings) -> str:
    """TT_APP_VERSION as configured (the display string): the release the whole platform reports."""
    return settings.app_version


def _admin(session: Session, identity: Identity) -> User:
    user = current_user(session, identity)
    if not user.is_admin:
        raise AdminOnlyError()
    return user


def check_version(
    session: Session, identity: Identity, *, settings: AuthSettings, releases: ReleaseChecker
) -> dict[str, Any]:
    user = _admin(session, identity)
    current = installed_version(settings)
    release = releases.latest()
    if release is None:
        return {
            "update_available": False,
            "current_version": current,
            "latest_version": None,
            "release_notes": None,
            "published_at": None,
            "release_url": None,
        }
    return {
        "update_available": update_available(current, release.version, user.dismissed_release_version),
        "current_version": current,
        "latest_version": release.version,
        "release_notes": release.notes,
        "published_at": release.published_at,
        "release_url": release.url,
    }


def _invalid(message: str) -> ValidationError:
    return ValidationError({"latest_version": [message]}, message, error=message)


def dismiss_version(session: Session, identity: Identity, *, latest_version: object) -> dict[str, Any]:
    user = _admin(session, identity)
    if not isinstance(latest_version, str) or not latest_version.strip():
        raise _invalid("latest_version is required")
    if parse_version(latest_version) is None:
        raise _invalid("invalid latest_version")
    user.dismissed_release_version = strip_version(latest_version)
    try:
        session.flush()
    except SQLAlchemyError as exc:
        raise DatabaseError("Could not store the dismissed version") from exc
    return {"ok": True}
