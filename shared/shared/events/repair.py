"""Gap repair: events NATS lost after acknowledging them are re-published from the outbox.

NATS with its default fsync interval can lose acknowledged messages on a crash; the relay has
already marked them published, so nothing would send them again. Each consumer therefore checks
now and then (`TT_EVENT_REPAIR_SECONDS`), unless it is replaying a long backlog, the owner's
published outbox rows for its subject against its own processed ids:

1. `POST /internal/events/published` on the owner: the rows past the consumer's cursor that
   match its subject and were published more than one interval ago (younger ones may still be
   on their way), and `through`, how far that answer covers the outbox;
2. the ids neither processed nor dead-lettered here are missing: `POST /internal/events/republish`
   has the owner publish them again, under a fresh message id (JetStream's duplicate window may
   still remember the lost one); the consumer's processed ids drop any copy it already has;
3. the cursor (`shared.events.cursors`, in NATS) moves to
   just before the first missing row, or to `through`: the owner's relay keeps published rows
   until every consumer of its events has its cursor past them (`OutboxRelay._purge`).

Both routes are internal (the signed service identity), like `/internal/events/flush`.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from nats.js import JetStreamContext
from prometheus_client import Counter
from sqlalchemy import Engine, String, Table, any_, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY

from shared.events.catchup import owner_of
from shared.events.consumer import DurableConsumer
from shared.events.cursors import confirm, confirmed_through
from shared.events.deadletter import dead_lettered_ids
from shared.events.link import NatsLink
from shared.events.relay import publish_in_order, publishable
from shared.upstream import Upstream

log = logging.getLogger(__name__)

PUBLISHED_PATH = "/internal/events/published"
REPUBLISH_PATH = "/internal/events/republish"
PAGE = 1000
# A consumer with more than this still to receive is catching up, not missing events: no pass.
BEHIND_LIMIT = 1000
_REQUEST_SECONDS = 5.0

EVENTS_REPAIRED = Counter(
    "tt_events_repaired_total",
    "Events a consumer found missing from the stream and had its owner re-publish",
    ["service", "consumer"],
)


def subject_regex(subject_filter: str) -> str:
    """A NATS subject filter (`*` one token, `>` the rest) as an anchored PostgreSQL regex."""
    tokens = []
    for token in subject_filter.split("."):
        tokens.append("[^.]+" if token == "*" else ".+" if token == ">" else re.escape(token))
    return "^" + r"\.".join(tokens) + "$"


# --- the owner's side -------------------------------------------------------------------------


def published_rows(engine: Engine, table: Table, *, subject: str, after: int, settled_seconds: float) -> dict:
    """Published rows past `after` matching `subject`, published at least `settled_seconds`
    ago, in id order (a page of `PAGE`); `through`: every row up to it that matches is in this
    answer or an earlier one (never past a row still unpublished: a long transaction may yet
    commit a lower id)."""
    t = table
    settled = t.c.published_at < func.now() - timedelta(seconds=settled_seconds)
    with engine.connect() as conn:
        rows = conn.execute(
            select(t.c.id, t.c.event_id)
            .where(t.c.id > after, settled, t.c.subject.op("~")(subject_regex(subject)))
            .order_by(t.c.id)
            .limit(PAGE)
        ).all()
        if len(rows) == PAGE:
            return {"events": [[r.id, r.event_id] for r in rows], "through": rows[-1].id}
        newest_settled = conn.scalar(select(func.max(t.c.id)).where(settled)) or after
        oldest_pending = conn.scalar(select(func.min(t.c.id)).where(t.c.published_at.is_(None)))
    through = newest_settled if oldest_pending is None else min(newest_settled, oldest_pending - 1)
    return {"events": [[r.id, r.event_id] for r in rows], "through": max(through, after)}


async def republish(engine: Engine, table: Table, link: NatsLink, event_ids: list[str]) -> int:
    """Publish these published rows again, in outbox order; returns how many were acknowledged."""
    t = table

    def rows() -> list[Any]:
        with engine.connect() as conn:
            return conn.execute(
                publishable(t)
                .where(t.c.event_id == any_(bindparam("ids", event_ids, type_=ARRAY(String))))
                .where(t.c.published_at.is_not(None))
            ).all()

    found = await asyncio.to_thread(rows)
    # a fresh message id: the duplicate window may still hold the lost message's
    stamp = time.time_ns()
    again = [(r[0], f"{r[1]}:repair:{stamp}", r[2], r[3], r[4]) for r in found]
    return await publish_in_order(await link.jetstream(), again)


# --- the consumer's side ----------------------------------------------------------------------


class GapRepair:
    def __init__(
        self,
        *,
        link: NatsLink,
        upstream: Upstream,
        owner_urls: dict[str, str],
        consumers: Iterable[DurableConsumer],
        interval: float,
    ) -> None:
        self.link = link
        self.upstream = upstream
        self.owner_urls = owner_urls
        self.consumers = [c for c in consumers if owner_urls.get(owner_of(c.subject))]
        self.interval = interval
        self._cursors: dict[str, int] = {}

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            await self.repair_once()

    async def repair_once(self) -> int:
        """One pass over every consumer; returns how many events were re-published."""
        total = 0
        for consumer in self.consumers:
            try:
                total += await self._repair(consumer)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - the owner or NATS away: the next pass tries again
                log.warning("gap repair of %s: %r; next pass in %.0f s", consumer.name, exc, self.interval)
        return total

    async def _repair(self, consumer: DurableConsumer) -> int:
        js = await self.link.jetstream()
        owner = owner_of(consumer.subject)
        info = await js.consumer_info(self.link.stream, consumer.name)
        if (info.num_pending or 0) > BEHIND_LIMIT:
            return 0  # replaying history (new or long stopped): what it lacks may still be on the stream
        key = f"{owner}.{consumer.name}"
        cursor = self._cursors.get(key)
        if cursor is None:
            cursor = await confirmed_through(js, owner, consumer.name) or 0
        url = self.owner_urls[owner]
        repaired = 0
        while True:
            answer = await self._post(
                f"{url}{PUBLISHED_PATH}",
                {"subject": consumer.subject, "after": cursor, "settled_seconds": self.interval},
            )
            events = [(int(row_id), str(event_id)) for row_id, event_id in answer["events"]]
            missing = await self._missing(js, consumer, events)
            if missing:
                ids = [event_id for _, event_id in missing]
                await self._post(f"{url}{REPUBLISH_PATH}", {"event_ids": ids})
                EVENTS_REPAIRED.labels(service=self.link.name, consumer=consumer.name).inc(len(ids))
                log.warning("gap repair: %d events of %s re-published for %s", len(ids), owner, consumer.name)
                repaired += len(ids)
                cursor = max(cursor, missing[0][0] - 1)  # checked again next pass
            else:
                cursor = max(cursor, int(answer["through"]))
            await confirm(js, owner, consumer.name, cursor)
            self._cursors[key] = cursor
            if missing or len(events) < PAGE:
                return repaired

    async def _missing(
        self, js: JetStreamContext, consumer: DurableConsumer, events: list[tuple[int, str]]
    ) -> list[tuple[int, str]]:
        if not events:
            return []
        ids = [event_id for _, event_id in events]
        processed = await asyncio.to_thread(_processed_ids, consumer, ids)
        unseen = [(row_id, event_id) for row_id, event_id in events if event_id not in processed]
        if not unseen:
            return []
        dead = await dead_lettered_ids(js, consumer.name)  # an operator's to replay, not ours
        return [(row_id, event_id) for row_id, event_id in unseen if event_id not in dead]

    async def _post(self, url: str, body: dict) -> dict:
        response = await self.upstream.post(url, json=body, timeout=_REQUEST_SECONDS)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        return response.json()


def _processed_ids(consumer: DurableConsumer, ids: list[str]) -> set[str]:
    p = consumer.processed
    with consumer.sessions() as session:
        return set(
            session.scalars(
                select(p.c.event_id).where(
                    p.c.consumer == consumer.name,
                    p.c.event_id == any_(bindparam("ids", ids, type_=ARRAY(String))),
                )
            )
        )
