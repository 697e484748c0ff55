"""Catching a service's replicas up with an owner's committed state (docs/architecture.md, "Consistency").

A replica that cannot confirm what a decision needs (a miss, a guard over another service's
rows) asks the owner to publish everything it has committed (`POST /internal/events/flush`,
answered with the stream position at or after all of it), then waits until each local durable
consumer fed by that owner has applied the stream up to there. Bounded by a timeout: past it,
or when the owner or NATS cannot be reached, the caller decides on what the replica has and
says so (`stale`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

from shared.events.link import NatsLink
from shared.upstream import Upstream

log = logging.getLogger(__name__)
T = TypeVar("T")

FLUSH_PATH = "/internal/events/flush"
_POLL_SECONDS = (0.001, 0.002, 0.005)  # the first checks come quickly: one event applies in ms
# More events than this still to apply cannot be caught up within the wait: answer at once.
_CATCH_UP_LIMIT = 1000


def owner_of(subject: str) -> str:
    """`tt.<owner>.<entity>.<action>` (or a filter such as `tt.crm.client.>`) → owner."""
    parts = subject.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "tt" else ""


class ReplicaSync:
    def __init__(
        self,
        *,
        link: NatsLink,
        upstream: Upstream,
        owner_urls: dict[str, str],
        durables: Iterable[tuple[str, str]],
        timeout: float,
    ) -> None:
        """`durables`: (durable name, subject filter) of each local consumer."""
        self.link = link
        self.upstream = upstream
        self.owner_urls = owner_urls
        self.timeout = timeout
        self.durables: dict[str, list[str]] = {}
        for name, subject in durables:
            self.durables.setdefault(owner_of(subject), []).append(name)
        self._runs: dict[str, SharedRuns] = {}
        # durable → a stream position it is known to have applied through (only ever rises)
        self._confirmed: dict[str, int] = {}

    async def catch_up(self, owner: str, *, timeout: float | None = None) -> bool:
        """True once every event `owner` committed before this call is applied here. Concurrent
        callers share catch-ups: one that began before a call may have missed a write answered
        just before it, so the call joins the next one, which all callers waiting meanwhile
        share (many readers cost about one catch-up per round trip, not one each)."""
        if self.owner_urls.get(owner) is None or not self.durables.get(owner):
            return False  # the owner is not deployed, or nothing here is fed by it
        budget = self.timeout if timeout is None else timeout
        runs = self._runs.setdefault(owner, SharedRuns())
        try:
            async with asyncio.timeout(budget):
                return await runs.join(lambda: self._catch_up_once(owner, budget))
        except TimeoutError:
            return False

    async def _catch_up_once(self, owner: str, budget: float) -> bool:
        try:
            async with asyncio.timeout(budget):
                position = await self._flush(self.owner_urls[owner], budget)
                if position is None:
                    return False
                js = await self.link.jetstream()
                for durable in self.durables[owner]:
                    if not await self._applied(js, durable, position):
                        return False
                return True
        except Exception as exc:  # noqa: BLE001 - a decision never fails for want of freshness
            log.debug("catch-up with %s not confirmed: %r", owner, exc)
            return False

    async def _flush(self, url: str, timeout: float) -> int | None:
        response = await self.upstream.post(f"{url}{FLUSH_PATH}", params={"timeout": timeout}, timeout=timeout)
        if response.status_code != 200:
            return None
        position = response.json().get("position")
        return position if isinstance(position, int) else None

    async def _applied(self, js, durable: str, position: int) -> bool:
        """Acknowledged (so committed) through `position`: the ack floor passed it, or nothing
        the consumer's filter matches is left to deliver or to acknowledge."""
        if self._confirmed.get(durable, -1) >= position:
            return True  # nothing published since the last confirmation: no question to ask
        polls = 0
        while True:
            info = await js.consumer_info(self.link.stream, durable)
            if (info.ack_floor and (info.ack_floor.stream_seq or 0) >= position) or (
                not info.num_pending and not info.num_ack_pending
            ):
                self._confirmed[durable] = max(position, self._confirmed.get(durable, -1))
                return True
            if (info.num_pending or 0) > _CATCH_UP_LIMIT:
                return False  # replaying history (a new or long-stopped consumer): no use waiting
            await asyncio.sleep(_POLL_SECONDS[min(polls, len(_POLL_SECONDS) - 1)])
            polls += 1


class SharedRuns:
    """At most one run in flight, and at most one queued behind it: a call made while a run is
    in flight waits for the queued run, which starts after the call and so covers it."""

    def __init__(self) -> None:
        self._running: asyncio.Task | None = None
        self._queued: asyncio.Task | None = None

    async def join(self, run: Callable[[], Awaitable[T]]) -> T:
        if self._running is None:
            task = self._running = asyncio.ensure_future(self._run(run))
        else:
            if self._queued is None:
                self._queued = asyncio.ensure_future(self._run_after(self._running, run))
            task = self._queued
        # shielded: a caller that gives up (its own timeout) leaves the run to the others
        return await asyncio.shield(task)

    async def _run(self, run: Callable[[], Awaitable[T]]) -> T:
        try:
            return await run()
        finally:
            if self._running is asyncio.current_task():
                self._running = None

    async def _run_after(self, previous: asyncio.Task, run: Callable[[], Awaitable[T]]) -> T:
        await asyncio.wait([previous])  # its outcome is its own callers'
        self._running, self._queued = self._queued, None
        return await self._run(run)
