"""Durable JetStream consumer: apply an event and record its id in one transaction, ack after.

A redelivered event finds its id already recorded and changes nothing (exactly-once effect).
A fetched batch records all its ids in one statement and goes, minus the ids already
processed, to the consumer's batch handler (or its per-event handler, in order).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.api import ConsumerConfig, DeliverPolicy
from pydantic import ValidationError
from sqlalchemy import String, Table, bindparam, func, literal, select
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.orm import Session, sessionmaker

from shared.events.envelope import EventEnvelope, MalformedEvent
from shared.events.link import NatsLink

log = logging.getLogger(__name__)

Handler = Callable[[Session, EventEnvelope], None]
BatchHandler = Callable[[Session, list[EventEnvelope]], None]


class DurableConsumer:
    def __init__(
        self,
        *,
        name: str,
        subject: str,
        handler: Handler,
        sessions: sessionmaker[Session],
        processed: Table,
        link: NatsLink,
        batch_handler: BatchHandler | None = None,
        batch: int = 500,
        replay_since: datetime | None = None,
    ) -> None:
        self.name = name
        self.subject = subject
        self.handler = handler
        self.batch_handler = batch_handler
        self.sessions = sessions
        self.processed = processed
        self.link = link
        self.batch = batch
        # RETURNING makes SQLAlchemy send the rows as multi-row VALUES (insertmanyvalues).
        # One array parameter for a whole batch's ids (a multi-row VALUES would bind one per id).
        ids = func.unnest(bindparam("ids", type_=ARRAY(String)))
        self._record = (
            insert(processed)
            .from_select(["consumer", "event_id", "processed_at"], select(literal(name), ids, func.now()))
            .on_conflict_do_nothing()
            .returning(processed.c.event_id)
        )
        # Only used when the durable is first created; an existing one keeps its position.
        self.config = (
            None
            if replay_since is None
            else ConsumerConfig(deliver_policy=DeliverPolicy.BY_START_TIME, opt_start_time=replay_since)
        )

    async def run(self) -> None:
        while True:
            try:
                js = await self.link.jetstream()
                sub = await js.pull_subscribe(
                    self.subject, durable=self.name, stream=self.link.stream, config=self.config
                )
                try:
                    while True:
                        try:
                            msgs = await sub.fetch(self.batch, timeout=1)
                        except (TimeoutError, NatsTimeoutError):
                            # Idle: make sure the durable still exists. A deleted one (an
                            # operator, a NATS restart without storage) only times out; the
                            # NotFoundError this raises resubscribes, which recreates it.
                            await sub.consumer_info()
                            continue
                        await self._handle_batch(msgs)
                finally:
                    # shielded from the cancel that stops us, but never waited on for long
                    await asyncio.wait([asyncio.ensure_future(_unsubscribe(sub))], timeout=2)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - NATS or DB down: resubscribe and go on
                log.warning("consumer %s: %s; retrying", self.name, exc)
                await asyncio.sleep(1)

    async def _handle_batch(self, msgs: list[Msg]) -> None:
        """A fetched batch in one transaction (one commit, one thread hop: a busy stream is
        applied at many times the per-event rate). If any event of it fails, the batch rolls
        back and each event is applied on its own, so only the failing one is redelivered."""
        batch: list[tuple[Msg, EventEnvelope]] = []
        for msg in msgs:
            try:
                batch.append((msg, EventEnvelope.from_json(msg.data)))
            except ValidationError:
                log.error("consumer %s: dropping malformed message on %s", self.name, msg.subject)
                await msg.term()
        if len(batch) > 1:
            try:
                await asyncio.to_thread(self.apply_all, [envelope for _, envelope in batch])
            except Exception:  # noqa: BLE001 - retried one by one below
                log.warning("consumer %s: batch of %d failed; applying one by one", self.name, len(batch))
            else:
                for msg, _ in batch:
                    await msg.ack()
                return
        for msg, envelope in batch:
            await self._handle(msg, envelope)

    async def _handle(self, msg: Msg, envelope: EventEnvelope) -> None:
        try:
            await asyncio.to_thread(self.apply, envelope)
        except Exception:  # noqa: BLE001 - redelivered later; the transaction rolled back
            log.exception("consumer %s: event %s failed", self.name, envelope.id)
            await msg.nak(delay=2)
            return
        await msg.ack()

    def apply(self, envelope: EventEnvelope) -> bool:
        """Apply once; returns False when this consumer had already processed the event."""
        with self.sessions() as session, session.begin():
            return self._apply_in(session, envelope)

    def apply_all(self, envelopes: list[EventEnvelope]) -> int:
        """Apply the not yet processed events in one transaction; returns how many were fresh.
        A malformed event raises out of a batch handler (the caller then applies one by one,
        where it is dropped); the per-event handler drops it here and goes on."""
        with self.sessions() as session, session.begin():
            fresh = self._fresh(session, envelopes)
            if self.batch_handler is not None:
                if fresh:
                    self.batch_handler(session, fresh)
            else:
                for envelope in fresh:
                    self._handle_in(session, envelope)
            return len(fresh)

    def _fresh(self, session: Session, envelopes: list[EventEnvelope]) -> list[EventEnvelope]:
        """Record every id in one statement; the envelopes recorded now, in stream order,
        each id once (a batch may hold a message twice)."""
        first: dict[str, EventEnvelope] = {}
        for envelope in envelopes:
            first.setdefault(envelope.id, envelope)
        if not first:
            return []
        # Sorted: concurrent replicas of a consumer take the ids' row locks in one order.
        recorded = set(session.connection().execute(self._record, {"ids": sorted(first)}).scalars())
        return [envelope for event_id, envelope in first.items() if event_id in recorded]

    def _apply_in(self, session: Session, envelope: EventEnvelope) -> bool:
        if not self._fresh(session, [envelope]):
            return False
        return self._handle_in(session, envelope)

    def _handle_in(self, session: Session, envelope: EventEnvelope) -> bool:
        """Handlers check an event's fields before they write: a malformed event (it can never
        apply) is dropped — logged and acknowledged — instead of redelivered forever."""
        try:
            self.handler(session, envelope)
        except MalformedEvent as exc:
            log.error("consumer %s: dropping event %s (%s): %s", self.name, envelope.id, envelope.type, exc)
            return False
        return True


async def _unsubscribe(sub) -> None:
    try:
        await sub.unsubscribe()
    except Exception:  # noqa: BLE001 - the connection may already be gone
        log.debug("unsubscribe failed", exc_info=True)
