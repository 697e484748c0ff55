"""`Idempotency-Key` for `POST /api/v1/time-entries` (CONVENTIONS §11).

A key is scoped to the API token. The request takes a transaction-scoped lock on (token, key)
before anything else, so a concurrent duplicate waits until the first request's transaction
ends: if it committed, its stored 201 is there to replay; if it failed, nothing was stored and
the duplicate runs normally. The record is written in the same transaction as the entry."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from shared.db import utcnow
from shared.identity import Identity
from tracking import locks
from tracking.errors import IdempotencyInProgressError
from tracking.models import IdempotencyRecord
from tracking.settings import TrackingSettings

SCOPE = "post:time_entries"
MAX_KEY_LENGTH = 128
LOCK_NOT_AVAILABLE = "55P03"


@dataclass(frozen=True)
class IdempotencyKey:
    token_id: int
    key_hash: str


def normalize(raw: str | None) -> str | None:
    """The trimmed header; empty or longer than 128 characters → ignored (None)."""
    if raw is None:
        return None
    key = raw.strip()
    return key if 0 < len(key) <= MAX_KEY_LENGTH else None


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def request_key(identity: Identity, header: str | None) -> IdempotencyKey | None:
    """The stored identity of the request's key; None when the request runs without one.
    A caller without a token id (not an API token) has no per-token scope to store under."""
    key = normalize(header)
    if key is None or identity.token_id is None:
        return None
    return IdempotencyKey(identity.token_id, key_hash(key))


def acquire(session: Session, key: IdempotencyKey, settings: TrackingSettings) -> None:
    """Wait (bounded by `idempotency_wait_seconds`) for any other request holding this key."""
    timeout_ms = str(max(1, round(settings.idempotency_wait_seconds * 1000)))
    previous = session.scalar(text("SELECT current_setting('lock_timeout')"))
    session.execute(text("SELECT set_config('lock_timeout', :ms, true)"), {"ms": timeout_ms})
    try:
        locks.lock_key(session, "idem", key.token_id, key.key_hash)
    except OperationalError as exc:
        if getattr(exc.orig, "sqlstate", None) == LOCK_NOT_AVAILABLE:
            raise IdempotencyInProgressError() from exc
        raise
    # Only the wait for the key is bounded; later locks of the request wait as usual.
    session.execute(text("SELECT set_config('lock_timeout', :ms, true)"), {"ms": previous})


def stored_response(session: Session, key: IdempotencyKey) -> tuple[int, dict[str, Any]] | None:
    """The live record's status and body; an expired record counts as absent."""
    stmt = select(IdempotencyRecord.status_code, IdempotencyRecord.body).where(
        IdempotencyRecord.token_id == key.token_id,
        IdempotencyRecord.scope == SCOPE,
        IdempotencyRecord.key_hash == key.key_hash,
        IdempotencyRecord.expires_at > utcnow(),
    )
    row = session.execute(stmt).first()
    return None if row is None else (row.status_code, row.body)


def store(session: Session, key: IdempotencyKey, status: int, body: dict[str, Any], settings: TrackingSettings) -> None:
    """Record a 201 in the request's transaction; an expired record under the key is replaced."""
    now = utcnow()
    values = {
        "status_code": status,
        "body": body,
        "created_at": now,
        "expires_at": now + timedelta(seconds=settings.idempotency_ttl_seconds),
    }
    stmt = insert(IdempotencyRecord).values(token_id=key.token_id, scope=SCOPE, key_hash=key.key_hash, **values)
    session.execute(stmt.on_conflict_do_update(index_elements=["token_id", "scope", "key_hash"], set_=values))
