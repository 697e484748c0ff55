"""Transaction-scoped PostgreSQL advisory locks that serialize one user's timer changes (the
single-active-timer rule holds under concurrent starts) and one idempotency key's requests."""

from __future__ import annotations

import hashlib

from sqlalchemy import func, select
from sqlalchemy.orm import Session

_USER_TIMERS = 0x7471  # namespace of the two-key lock form


def lock_user_timers(session: Session, user_id: int) -> None:
    """Held until the transaction ends: one timer start/create/stop per user at a time."""
    session.execute(select(func.pg_advisory_xact_lock(_USER_TIMERS, user_id)))


def lock_key(session: Session, *parts: object) -> None:
    """Held until the transaction ends; `parts` identify the resource (hashed to 64 bits)."""
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()
    session.execute(select(func.pg_advisory_xact_lock(int.from_bytes(digest[:8], "big", signed=True))))
