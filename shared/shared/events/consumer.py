"""Durable JetStream consumer: apply an event and record its id in one transaction, ack after.

A redelivered event finds its id already recorded and changes nothing (exactly-once effect).
A fetched batch records all its ids in one statement and goes, minus the ids already
processed, to the consumer's batch handler (or its per-event handler, in order). An event whose
handler still fails on its `max_deliver`-th delivery goes to the dead letters and is
terminated on the stream, so the consumer moves on (`shared.events.deadletter`).
"""

from __future__ import annotations

import asyncio
import functools
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

from shared.events import tracing
from shared.events.deadletter import error_text, publish_dead_letter, transient
from shared.events.envelope import EventEnvelope, MalformedEvent
from shared.events.link import NatsLink
from shared.events.metrics import ConsumerMetrics

log = logging.getLogger(__name__)

Handler = Callable[[Session, EventEnvelope], None]
BatchHandler = Callable[[Session, list[EventEnvelope]], None]
Headers = dict[str, str]
_RETRY_DELAY_SECONDS = 2


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
        max_deliver: int = 5,
    ) -> None:
        self.name = name
        self.subject = subject
        self.handler = handler
        self.batch_handler = batch_handler
        self.sessions = sessions
        self.processed = processed
        self.link = link
        self.batch = batch
        self.max_deliver = max_deliver
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

    @functools.cached_property
    def metrics(self) -> ConsumerMetrics:
        """Made on first use by `run`: `apply` and `apply_all` need no link."""
        return ConsumerMetrics(self.link.name, self.name)

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
                            self.metrics.lag.set((await sub.consumer_info()).num_pending or 0)
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
        self._observe(msgs)
        batch: list[tuple[Msg, EventEnvelope]] = []
        for msg in msgs:
            try:
                batch.append((msg, EventEnvelope.from_json(msg.data)))
            except ValidationError as exc:
                # it can never apply: no retries; named by its message id, else its position
                event_id = (msg.headers or {}).get("Nats-Msg-Id") or f"seq-{msg.metadata.sequence.stream}"
                await self._dead_letter(msg, event_id, f"malformed envelope: {error_text(exc)}")
        if len(batch) > 1:
            traced = {envelope.id: msg.headers for msg, envelope in batch if tracing.traced(msg.headers)}
            try:
                fresh = await asyncio.to_thread(self.apply_all, [envelope for _, envelope in batch], traced)
            except Exception:  # noqa: BLE001 - retried one by one below
                log.warning("consumer %s: batch of %d failed; applying one by one", self.name, len(batch))
            else:
                self.metrics.applied.inc(fresh)
                for msg, _ in batch:
                    await msg.ack()
                return
        for msg, envelope in batch:
            await self._handle(msg, envelope)

    def _observe(self, msgs: list[Msg]) -> None:
        """Lag and redeliveries from the messages' own metadata: no extra request."""
        if not msgs:
            return
        redelivered = sum(1 for msg in msgs if msg.metadata.num_delivered > 1)
        if redelivered:
            self.metrics.redeliveries.inc(redelivered)
        self.metrics.lag.set(msgs[-1].metadata.num_pending or 0)

    async def _handle(self, msg: Msg, envelope: EventEnvelope) -> None:
        try:
            applied = await asyncio.to_thread(self.apply, envelope, msg.headers)
        except Exception as exc:  # noqa: BLE001 - the transaction rolled back: retry or give up
            deliveries = msg.metadata.num_delivered
            if deliveries >= self.max_deliver and not transient(exc):
                await self._dead_letter(msg, envelope.id, error_text(exc))
                return
            log.warning(
                "consumer %s: event %s failed (delivery %d); retrying",
                self.name,
                envelope.id,
                deliveries,
                exc_info=deliveries == 1,
            )
            await msg.nak(delay=_RETRY_DELAY_SECONDS)
            return
        if applied:
            self.metrics.applied.inc()
        await msg.ack()

    async def _dead_letter(self, msg: Msg, event_id: str, error: str) -> None:
        """To the dead-letter stream, then terminated here. If the dead letter cannot be
        published the message comes back later and is tried again."""
        deliveries = msg.metadata.num_delivered
        try:
            js = await self.link.jetstream()
            await publish_dead_letter(js, msg, durable=self.name, event_id=event_id, deliveries=deliveries, error=error)
        except Exception as exc:  # noqa: BLE001 - NATS trouble: keep the event on the stream
            log.warning("consumer %s: dead letter for event %s not published: %r", self.name, event_id, exc)
            await msg.nak(delay=_RETRY_DELAY_SECONDS)
            return
        await msg.term()
        self.metrics.dead_letters.inc()
        log.error(
            "consumer %s: event %s (%s) moved to the dead letters after %d deliveries: %s",
            self.name,
            event_id,
            msg.subject,
            deliveries,
            error,
        )

    def apply(self, envelope: EventEnvelope, headers: Headers | None = None) -> bool:
        """Apply once; returns False when this consumer had already processed the event.
        `headers`: the message's, whose trace context the handler's span continues."""
        with self.sessions() as session, session.begin():
            if not self._fresh(session, [envelope]):
                return False
            return self._handle_in(session, envelope, headers)

    def apply_all(self, envelopes: list[EventEnvelope], traced: dict[str, Headers] | None = None) -> int:
        """Apply the not yet processed events in one transaction; returns how many were fresh.
        A malformed event raises out of a batch handler (the caller then applies one by one,
        where it is dropped); the per-event handler drops it here and goes on. `traced`: event
        id → headers of the events that carry a trace context."""
        traced = traced or {}
        with self.sessions() as session, session.begin():
            fresh = self._fresh(session, envelopes)
            if self.batch_handler is not None:
                if fresh:
                    with tracing.applying_batch(self.name, [traced[e.id] for e in fresh if e.id in traced], len(fresh)):
                        self.batch_handler(session, fresh)
            else:
                for envelope in fresh:
                    self._handle_in(session, envelope, traced.get(envelope.id))
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

    def _handle_in(self, session: Session, envelope: EventEnvelope, headers: Headers | None) -> bool:
        """Handlers check an event's fields before they write: a malformed event (it can never
        apply) is dropped — logged and acknowledged — instead of redelivered forever."""
        try:
            with tracing.applying(envelope, headers):
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
