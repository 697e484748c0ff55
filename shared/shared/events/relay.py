"""Publishes outbox rows to JetStream, in order, with `Nats-Msg-Id` = event id.

Woken right after a commit that wrote events, and by a poll as a safety net. Several replicas
of a service may run a relay: a PostgreSQL advisory lock lets one publish at a time, which
keeps the outbox order on the stream. A crash between publish and marking the row only
re-publishes, and JetStream drops the duplicate by its message id.
"""

from __future__ import annotations

import asyncio
import logging
import time
import zlib
from datetime import timedelta

from sqlalchemy import (
    BigInteger,
    Engine,
    Select,
    Table,
    Text,
    and_,
    any_,
    bindparam,
    cast,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY

from shared.events.catchup import owner_of
from shared.events.cursors import confirmed_through
from shared.events.link import NatsLink
from shared.events.metrics import OutboxMetrics
from shared.events.outbox import HEADERS_KEY
from shared.waiting import sleep_until_set

log = logging.getLogger(__name__)

_BATCH = 500
_LOCKED_RETRY_SECONDS = 0.05
# Published rows stay at least this long (inspection; the stream's 20-minute duplicate window)
# even once every consumer has confirmed them (`shared.events.cursors`).
_MIN_KEEP_SECONDS = 3600
_PURGE_EVERY_SECONDS = 600
_FLUSH_POLL_SECONDS = 0.005
_ACK_TIMEOUT_SECONDS = 5.0
# Unless the relay emptied the outbox meanwhile (then it knows), the backlog gauges are
# refreshed by a query this often: NATS away, another replica holding the lock, a long drain.
_BACKLOG_QUERY_SECONDS = 5.0


class PublishIncomplete(Exception):
    """Some events of a batch were not acknowledged: they stay unpublished for the next pass."""


async def publish_in_order(js, rows) -> int:
    """Publish the rows pipelined (all sent, then the acknowledgements awaited: several times
    cheaper than one round trip each), in order on one connection, so the stream keeps their
    order. Returns how many, from the first, JetStream acknowledged; only those count as
    published. Any after a failure that did land are published again by the next pass and
    dropped by the stream as duplicates of their message id (an event may then follow a
    later one: consumers order by event time, never by arrival)."""
    futures = [
        await js.publish_async(subject, body.encode(), headers={**(headers or {}), "Nats-Msg-Id": event_id})
        for _, event_id, subject, body, headers in rows
    ]
    if futures:
        await asyncio.wait(futures, timeout=_ACK_TIMEOUT_SECONDS)
    # every outcome read (an exception left unread is logged as never retrieved)
    acked = [f.done() and not f.cancelled() and f.exception() is None for f in futures]
    for future in futures:
        future.cancel()  # an unanswered one frees its slot in the client's pending window
    return acked.index(False) if False in acked else len(acked)


async def _all_consumers(js, stream: str) -> list:
    """Every consumer of the stream (JetStream lists them a page at a time)."""
    consumers: list = []
    while True:
        page = await js.consumers_info(stream, offset=len(consumers))
        consumers += page
        if not page:
            return consumers


def publishable(t: Table) -> Select:
    """Outbox rows as they are published, in outbox order: id, event id, subject, the envelope
    as PostgreSQL's JSON text (published as is, never parsed here) and apart from it the headers
    it travels with (its trace context, when it has one)."""
    return select(
        t.c.id,
        t.c.event_id,
        t.c.subject,
        cast(t.c.payload.op("-")(cast(HEADERS_KEY, Text)), Text),
        t.c.payload[HEADERS_KEY],
    ).order_by(t.c.id)


class OutboxRelay:
    def __init__(
        self,
        *,
        engine: Engine,
        table: Table,
        link: NatsLink,
        poll_seconds: float = 1.0,
        keep_published_seconds: float = 7 * 86400,
    ) -> None:
        self.engine = engine
        self.table = table
        self.link = link
        self.poll_seconds = poll_seconds
        self.keep_published_seconds = keep_published_seconds
        self._lock_key = zlib.crc32(f"tt-outbox:{engine.url.database}".encode())
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wakeup = asyncio.Event()
        self._published = asyncio.Event()  # set after each published batch: flush() re-checks
        self._next_purge = 0.0
        self.metrics = OutboxMetrics(link.name)
        self._emptied_at = float("-inf")

    async def flush(self, timeout: float) -> bool:
        """True once every event committed before the call is on the stream (a reader that
        wants its caller's writes included calls this first); False if that took too long."""
        target = await asyncio.to_thread(self._newest_unpublished, None)
        if target is None:
            return True
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            self._published.clear()
            self._wakeup.set()
            # This process's relay says when it published; another replica's relay (holding the
            # outbox lock) is seen by the poll.
            await sleep_until_set(self._published, _FLUSH_POLL_SECONDS)
            if await asyncio.to_thread(self._newest_unpublished, target) is None:
                return True
        return False

    def _newest_unpublished(self, up_to: int | None) -> int | None:
        t = self.table
        query = select(func.max(t.c.id)).where(t.c.published_at.is_(None))
        if up_to is not None:
            query = query.where(t.c.id <= up_to)
        # autocommit: one round trip, not BEGIN, the query and a ROLLBACK (on every flush)
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            return conn.scalar(query)

    def wake(self) -> None:
        """Thread-safe: called by the request thread right after its commit."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._wakeup.set)

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        watcher = asyncio.create_task(self._watch_backlog(), name="outbox-backlog")
        delay = self.poll_seconds
        try:
            while True:
                await sleep_until_set(self._wakeup, delay)
                self._wakeup.clear()
                try:
                    delay = await self.drain()
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # noqa: BLE001 - NATS or the DB down: keep rows, retry later
                    log.warning("outbox relay: %s; will retry", exc)
                    delay = self.poll_seconds
        finally:
            watcher.cancel()

    async def drain(self) -> float:
        """Publish until the outbox is empty; returns how long to wait before the next pass."""
        while True:
            published = await self._publish_batch()
            if published is None:
                return _LOCKED_RETRY_SECONDS
            if published < _BATCH:
                self.metrics.observe(0, 0)  # everything committed before the claim is out
                self._emptied_at = time.monotonic()
                await self._purge_if_due()
                return self.poll_seconds

    async def _publish_batch(self) -> int | None:
        js = await self.link.jetstream()
        conn = await asyncio.to_thread(self.engine.connect)
        try:
            rows = await asyncio.to_thread(self._claim, conn)
            if rows is None:
                return None
            acknowledged = await publish_in_order(js, rows)
            if acknowledged:
                await asyncio.to_thread(self._mark_published, conn, [r[0] for r in rows[:acknowledged]])
                self._published.set()
            else:
                await asyncio.to_thread(conn.rollback)
            if acknowledged < len(rows):
                raise PublishIncomplete(f"{len(rows) - acknowledged} of {len(rows)} events not acknowledged")
            return len(rows)
        finally:
            await asyncio.to_thread(conn.close)

    async def _purge_if_due(self) -> None:
        now = asyncio.get_running_loop().time()
        if now < self._next_purge:
            return
        self._next_purge = now + _PURGE_EVERY_SECONDS
        await asyncio.to_thread(self._purge, await self._confirmed_by_every_consumer())

    async def _confirmed_by_every_consumer(self) -> int | None:
        """The outbox id through which every durable consumer of this service's events has
        confirmed it has them (their repair cursors); None while any has not said."""
        try:
            js = await self.link.jetstream()
            durables = [
                info.name
                for info in await _all_consumers(js, self.link.stream)
                if info.config.durable_name and owner_of(info.config.filter_subject or "") == self.link.name
            ]
            cursors = [await confirmed_through(js, self.link.name, durable) for durable in durables]
        except Exception as exc:  # noqa: BLE001 - NATS away: purge by age only
            log.debug("repair cursors not read: %r", exc)
            return None
        if not cursors or None in cursors:
            return None
        return min(c for c in cursors if c is not None)

    async def _watch_backlog(self) -> None:
        """Beside the publishing loop, which may wait on NATS for as long as it is away: a
        relay that emptied the outbox lately knows the backlog is 0; otherwise it counts."""
        while True:
            await asyncio.sleep(_BACKLOG_QUERY_SECONDS)
            if time.monotonic() - self._emptied_at < _BACKLOG_QUERY_SECONDS:
                continue
            try:
                self.metrics.observe(*await asyncio.to_thread(self._backlog))
            except Exception as exc:  # noqa: BLE001 - the database is away too: the gauges keep their value
                log.debug("outbox backlog not measured: %r", exc)

    def _backlog(self) -> tuple[int, float]:
        """Unpublished rows and the age of the oldest (the partial index holds just those)."""
        t = self.table
        query = select(
            func.count(), func.coalesce(func.extract("epoch", func.now() - func.min(t.c.created_at)), 0)
        ).where(t.c.published_at.is_(None))
        with self.engine.connect() as conn:
            count, age = conn.execute(query).one()
        return count, max(float(age), 0.0)

    def _purge(self, confirmed: int | None) -> None:
        """Published rows past the bounded time, or confirmed by every consumer (and an hour old)."""
        t = self.table
        expired = t.c.published_at < func.now() - timedelta(seconds=self.keep_published_seconds)
        if confirmed is not None:
            confirmed_long_ago = and_(
                t.c.id <= confirmed, t.c.published_at < func.now() - timedelta(seconds=_MIN_KEEP_SECONDS)
            )
            expired = or_(expired, confirmed_long_ago)
        with self.engine.begin() as conn:
            conn.execute(t.delete().where(t.c.published_at.is_not(None), expired))

    def _claim(self, conn):
        conn.begin()
        if not conn.scalar(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": self._lock_key}):
            conn.rollback()
            return None
        return conn.execute(publishable(self.table).where(self.table.c.published_at.is_(None)).limit(_BATCH)).all()

    def _mark_published(self, conn, ids: list[int]) -> None:
        # one array parameter, not an IN list of hundreds (which the driver parses out of the text)
        conn.execute(
            update(self.table)
            .where(self.table.c.id == any_(bindparam("ids", ids, type_=ARRAY(BigInteger))))
            .values(published_at=func.now())
        )
        conn.commit()
