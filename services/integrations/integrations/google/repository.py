"""Statements of the Google connector: pending OAuth states (§5.2) and the integrations the
scheduled sync is due for (§5.5)."""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from integrations.connectors import records
from integrations.models import Integration, OAuthState


def state_hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def add_state(session: Session, *, state: str, user_id: int, sealed_verifier: str, expires_at: datetime) -> None:
    session.add(
        OAuthState(
            state_hash=state_hash(state),
            provider=records.GOOGLE,
            user_id=user_id,
            code_verifier=sealed_verifier,
            expires_at=expires_at,
        )
    )


def take_state(session: Session, state: str) -> OAuthState | None:
    """The Google state with this value, deleted in the same statement: a state answers once,
    even to two callbacks at the same moment. Another provider's state is left alone."""
    statement = (
        delete(OAuthState)
        .where(OAuthState.state_hash == state_hash(state), OAuthState.provider == records.GOOGLE)
        .returning(OAuthState)
    )
    return session.scalars(statement, execution_options={"synchronize_session": False}).first()


def purge_expired_states(session: Session, now: datetime) -> None:
    session.execute(delete(OAuthState).where(OAuthState.expires_at <= now))


def next_due(session: Session, *, synced_before: datetime, passed: Collection[int]) -> Integration | None:
    """One active Google integration not synced since `synced_before` (or never), locked for this
    transaction; rows another replica's job holds, and those this run already tried, are passed
    over. Like `records.due_for_job`, narrowed to what is due and to one row: each integration is
    synced in a transaction of its own, so no lock is held across users."""
    query = (
        select(Integration)
        .where(
            Integration.provider == records.GOOGLE,
            Integration.is_active,
            or_(Integration.last_sync_at.is_(None), Integration.last_sync_at < synced_before),
        )
        .order_by(Integration.last_sync_at.asc().nulls_first(), Integration.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if passed:
        query = query.where(Integration.id.not_in(passed))
    return session.scalars(query).first()
