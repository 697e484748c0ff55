"""Reads of the replicas other services feed: users (auth) and clients (CRM)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tracking.entries.durations import NO_ROUNDING, Rounding
from tracking.models import KnownClient, KnownUser


def valid_client(session: Session, client_id: int) -> KnownClient | None:
    """The client if CRM knows it and has not deleted it."""
    client = session.get(KnownClient, client_id)
    return client if client is not None and not client.deleted else None


def known_user(session: Session, user_id: int) -> KnownUser | None:
    return session.get(KnownUser, user_id)


def rounding_for(session: Session, user_id: int) -> Rounding:
    """The entry owner's rounding preference; no rounding for a user not replicated yet."""
    user = session.get(KnownUser, user_id)
    if user is None:
        return NO_ROUNDING
    return Rounding(user.time_rounding_enabled, user.time_rounding_minutes, user.time_rounding_method)
