"""The delivery worker: an asyncio task that sends due attempts.

Claims first (`SELECT … FOR UPDATE SKIP LOCKED` plus a lease, committed before any request), so
several replicas share the work and none sends an attempt another holds. After the attempt, the
outcome and the lease's release commit together. A replica killed mid-attempt leaves a lease
that expires (the subscription's timeout plus a margin); then anyone takes the attempt over.

Between passes it sleeps until the earliest due attempt or lease expiry, at most
`poll_seconds`, and is woken at once when this process's consumer commits new deliveries. At
most `concurrency` attempts are in flight, so a slow receiver holds one slot and never the
others; it claims only as many rows as it has free slots."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from sqlalchemy.orm import Session, sessionmaker

from integrations.delivery import store
from integrations.delivery.sender import AttemptRequest, Sender
from integrations.secrets import SecretBox
from shared.db import utcnow
from shared.waiting import sleep_until_set

log = logging.getLogger(__name__)

# Nothing claimable although something is due (rows being claimed by another replica this
# very moment): look again this soon rather than spin.
_BUSY_RETRY_SECONDS = 0.02
_ERROR_RETRY_SECONDS = 1.0


class DeliveryWorker:
    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        sender: Sender,
        box: SecretBox,
        concurrency: int,
        poll_seconds: float,
        lease_margin: float,
        shutdown_grace: float,
    ) -> None:
        self.sessions = sessions
        self.sender = sender
        self.box = box
        self.concurrency = concurrency
        self.poll_seconds = poll_seconds
        self.lease_margin = lease_margin
        self.shutdown_grace = shutdown_grace
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wakeup = asyncio.Event()
        self._in_flight: set[asyncio.Task] = set()
        self.attempts_started = 0  # this process's attempts since start (a figure for tests and metrics)

    def notify(self) -> None:
        """Thread-safe: new deliveries were committed (the consumer calls this after commit)."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wakeup.set)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Runs while inside. On the way out no new attempt starts; those in flight get
        `shutdown_grace` seconds, then are abandoned (their leases expire and they are retried)."""
        self._loop = asyncio.get_running_loop()
        self._wakeup = asyncio.Event()
        loop_task = asyncio.create_task(self.run(), name="webhook-delivery-worker")
        try:
            yield
        finally:
            loop_task.cancel()
            await asyncio.gather(loop_task, return_exceptions=True)
            if self._in_flight:
                _, pending = await asyncio.wait(set(self._in_flight), timeout=self.shutdown_grace or None)
                for task in pending:
                    task.cancel()
                await asyncio.gather(*pending, return_exceptions=True)
            await self.sender.close()
            self._loop = None

    async def run(self) -> None:
        while True:
            self._wakeup.clear()
            try:
                delay = await self._pass()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - the database may be away: try again shortly
                log.warning("webhook worker: %s; retrying", exc)
                delay = _ERROR_RETRY_SECONDS
            if delay > 0:
                await sleep_until_set(self._wakeup, delay)

    async def _pass(self) -> float:
        """Start what is due and free slots allow; returns how long to sleep."""
        free = self.concurrency - len(self._in_flight)
        if free <= 0:
            return self.poll_seconds  # a finishing attempt wakes the loop
        claims = await asyncio.to_thread(self._claim, free)
        for request in claims:
            self.attempts_started += 1
            task = asyncio.create_task(self._attempt(request), name=f"webhook-delivery-{request.delivery_id}")
            self._in_flight.add(task)
            task.add_done_callback(self._finished)
        if len(claims) == free:
            return 0 if len(self._in_flight) < self.concurrency else self.poll_seconds
        upcoming = await asyncio.to_thread(self._next_due)
        if upcoming is None:
            return self.poll_seconds
        wait = (upcoming - utcnow()).total_seconds()
        if wait <= 0:
            return _BUSY_RETRY_SECONDS
        return min(wait, self.poll_seconds)

    def _finished(self, task: asyncio.Task) -> None:
        self._in_flight.discard(task)
        self._wakeup.set()

    def _claim(self, limit: int) -> list[AttemptRequest]:
        with self.sessions() as session, session.begin():
            return store.claim_due(session, now=utcnow(), limit=limit, lease_margin=self.lease_margin, box=self.box)

    def _next_due(self):
        with self.sessions() as session:
            return store.next_due(session)

    async def _attempt(self, request: AttemptRequest) -> None:
        outcome = await self.sender.send(request)
        # The outcome is recorded even if shutdown cancels us meanwhile: the request went out.
        try:
            await asyncio.shield(asyncio.to_thread(self._finish, request, outcome))
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - the lease expires and the attempt is made again
            log.exception("webhook %s delivery %s: outcome not recorded", request.webhook_id, request.delivery_id)

    def _finish(self, request: AttemptRequest, outcome) -> None:
        with self.sessions() as session, session.begin():
            if not store.finish_claimed(session, request, outcome):
                log.info("webhook delivery %s: lease lost; outcome dropped", request.delivery_id)
