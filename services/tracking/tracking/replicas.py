"""Reads of the replicas other services feed: users (auth) and clients (CRM). A decision that
finds no usable row catches up with the owner first (`shared.events.replica.confirmed_row`):
a client or user created by the caller's previous request is valid in this one."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from shared.events.replica import confirmed_row
from shared.identity import Identity
from shared.inputs import row_id
from tracking.durations import NO_ROUNDING, Rounding
from tracking.models import KnownClient, KnownUser


def valid_client(session: Session, client_id: int) -> KnownClient | None:
    """The client if CRM has it and has not deleted it."""
    return confirmed_row(session, KnownClient, row_id(client_id), owner="crm", usable=lambda c: not c.deleted)


def active_user(session: Session, user_id: int) -> KnownUser | None:
    """The user if auth has them and they are active (assignees, entries made for others)."""
    return confirmed_row(session, KnownUser, row_id(user_id), owner="auth", usable=lambda u: u.is_active)


def rounding_for(session: Session, user_id: int) -> Rounding:
    """The entry owner's rounding preference; no rounding for a user not replicated yet."""
    user = session.get(KnownUser, user_id)
    if user is None:
        return NO_ROUNDING
    return Rounding(user.time_rounding_enabled, user.time_rounding_minutes, user.time_rounding_method)


# Older than any event: the user's real `tt.auth.user.*` events always win over this row.
_BEFORE_ANY_EVENT = datetime(1970, 1, 1, tzinfo=UTC)


def remember_caller(session: Session, identity: Identity) -> KnownUser | None:
    """A caller the user replica has not heard of yet (their `user.created` still on its way)
    is known from the gateway's signed identity, so their first entry shows their name.
    Returns the caller's row when the replica had it: while the caller holds it, the rounding
    and name lookups find it in the session (its identity map holds rows weakly)."""
    if identity.user_id is None or not identity.username:
        return None
    known = session.get(KnownUser, identity.user_id)
    if known is not None:
        return known  # the usual case
    stmt = insert(KnownUser).values(
        id=identity.user_id,
        username=identity.username,
        role=identity.role or ("admin" if identity.is_admin else "user"),
        is_admin=identity.is_admin,
        event_at=_BEFORE_ANY_EVENT,
    )
    session.execute(stmt.on_conflict_do_nothing(index_elements=["id"]))
    return None
