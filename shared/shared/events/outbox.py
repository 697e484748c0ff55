"""The outbox: events written in the caller's transaction, published later by the relay."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import BigInteger, Column, Index, MetaData, String, Table, insert
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from shared.db import TZDateTime, copy_rows, on_commit, utcnow
from shared.events.envelope import EventEnvelope
from shared.events.tracing import current_trace_headers
from shared.identity import Identity

OUTBOX_TABLE = "outbox"
PROCESSED_EVENTS_TABLE = "processed_events"
_WAKE_KEY = "outbox_wake"
# The NATS headers an event travels with besides its id (the recording request's trace
# context) are kept in the stored payload under this key; the relay sends them as headers
# and the envelope alone as the message body.
HEADERS_KEY = "_headers"


def outbox_table(metadata: MetaData) -> Table:
    """Add the outbox to a service's metadata (its migrations create it)."""
    return Table(
        OUTBOX_TABLE,
        metadata,
        Column("id", BigInteger, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("subject", String(200), nullable=False),
        Column("payload", JSONB, nullable=False),
        Column("created_at", TZDateTime(), nullable=False, default=utcnow),
        Column("published_at", TZDateTime(), nullable=True),
        Index("ix_outbox_unpublished", "id", postgresql_where=Column("published_at").is_(None)),
    )


def processed_events_table(metadata: MetaData) -> Table:
    """Ids of events a consumer has applied, written in the consumer's own transaction."""
    return Table(
        PROCESSED_EVENTS_TABLE,
        metadata,
        Column("consumer", String(100), primary_key=True),
        Column("event_id", String(36), primary_key=True),
        Column("processed_at", TZDateTime(), nullable=False, default=utcnow),
    )


def actor_of(identity: Identity | None) -> dict[str, Any] | None:
    if identity is None:
        return None
    return {"user_id": identity.user_id, "token_id": identity.token_id, "service": identity.service}


def _queue(session: Session, envelopes: list[EventEnvelope]) -> None:
    table = _outbox_for(session)
    headers = current_trace_headers()
    if len(envelopes) == 1:
        [envelope] = envelopes
        row = {"event_id": envelope.id, "subject": envelope.type, "created_at": envelope.occurred_at}
        session.execute(insert(table), [row | {"payload": _stored(envelope, headers)}])
    else:  # a batch (a CSV chunk's events): one COPY
        suffix = _headers_json(headers)
        rows = ((e.id, e.type, e.model_dump_json()[:-1] + suffix, e.occurred_at) for e in envelopes)
        copy_rows(session, table.name, ("event_id", "subject", "payload", "created_at"), rows)
    wake = session.info.get(_WAKE_KEY)
    if wake is not None:
        on_commit(session, wake)


def _stored(envelope: EventEnvelope, headers: dict[str, str]) -> dict[str, Any]:
    payload = envelope.model_dump(mode="json")
    if headers:
        payload[HEADERS_KEY] = headers
    return payload


def _headers_json(headers: dict[str, str]) -> str:
    """What closes an envelope's JSON object in the stored form: the headers member, if any,
    then `}` (one string for a whole batch: each row stays pydantic's fast JSON)."""
    return f', "{HEADERS_KEY}": {json.dumps(headers)}}}' if headers else "}"


def record_many(
    session: Session,
    *,
    source: str,
    type: str,
    items: list[tuple[Any, dict[str, Any]]],
    actor: Identity | None = None,
) -> list[EventEnvelope]:
    """`record` for many entities at once (`items`: entity id, data), in one statement; the
    events keep `items`' order."""
    envelopes = [
        EventEnvelope(
            type=type,
            source=source,
            entity_id=None if entity_id is None else str(entity_id),
            actor=actor_of(actor),
            data=data,
        )
        for entity_id, data in items
    ]
    if envelopes:
        _queue(session, envelopes)
    return envelopes


def record(
    session: Session,
    *,
    source: str,
    type: str,
    entity_id: Any,
    data: dict[str, Any],
    actor: Identity | None = None,
) -> EventEnvelope:
    """Queue an event in the outbox: it commits with the change or not at all."""
    envelope = EventEnvelope(
        type=type,
        source=source,
        entity_id=None if entity_id is None else str(entity_id),
        actor=actor_of(actor),
        data=data,
    )
    _queue(session, [envelope])
    return envelope


def _outbox_for(session: Session) -> Table:
    table = session.info.get(OUTBOX_TABLE)
    if table is None:
        raise RuntimeError("session has no outbox table; build its sessionmaker with session_info()")
    return table


def session_info(table: Table, wake=None) -> dict[str, Any]:
    """`sessionmaker(info=...)` for a service: where its outbox is, how to wake the relay."""
    return {OUTBOX_TABLE: table, _WAKE_KEY: wake}
