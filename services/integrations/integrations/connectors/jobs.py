"""The connectors' scheduled jobs (Google Calendar sync §5.5, Slack daily summary §4.5), run in
the service's lifespan. Every tick each job runs on a worker thread in its own error boundary:
a failing job is logged and the next tick runs it again; it never stops the others or the
process. The jobs themselves decide what is due and lock each integration's row while they work
on it (`records.due_for_job`), so several replicas share the work without doing it twice."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Sequence

from sqlalchemy.orm import Session, sessionmaker

from integrations.connectors.context import Connectors

log = logging.getLogger(__name__)
Job = Callable[[sessionmaker[Session], Connectors], None]


class JobRunner:
    def __init__(
        self, jobs: Sequence[Job], *, sessions: sessionmaker[Session], connectors: Connectors, tick_seconds: float
    ) -> None:
        self.jobs = tuple(jobs)
        self.sessions = sessions
        self.connectors = connectors
        self.tick_seconds = tick_seconds

    def run_once(self) -> None:
        """Every job once, in order (also what tests call)."""
        for job in self.jobs:
            try:
                job(self.sessions, self.connectors)
            except Exception:
                log.exception("connector job %s failed", getattr(job, "__name__", job))

    async def _loop(self) -> None:
        while True:
            await asyncio.to_thread(self.run_once)
            await asyncio.sleep(self.tick_seconds)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        task = asyncio.create_task(self._loop(), name="connector-jobs")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
