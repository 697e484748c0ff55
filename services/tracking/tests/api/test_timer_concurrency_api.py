"""Simultaneous timer starts of one user in real, separately committed transactions: with
single-active-timer on exactly one wins (the per-user advisory lock). Committed rows are
removed afterwards."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from shared.events.outbox import session_info
from shared.identity import Identity
from tracking import timer_settings
from tracking.errors import TimerAlreadyRunningError
from tracking.models import Project, TimeEntry, outbox
from tracking.timer import service
from tracking.timer.schemas import TimerStart

WORKERS = 10


@pytest.fixture
def race(engine, settings, next_user_id):
    user_id = next_user_id()
    with Session(engine) as s:
        assert timer_settings.single_active_timer(s, settings) is True
        project = Project(name=f"Race {user_id}", client_id=1, created_by=user_id, custom_fields={})
        s.add(project)
        s.commit()
        project_id = project.id
    yield user_id, project_id
    with Session(engine) as s:
        s.execute(delete(outbox).where(outbox.c.payload["data"]["user_id"].astext == str(user_id)))
        s.execute(delete(TimeEntry).where(TimeEntry.user_id == user_id))
        s.execute(delete(Project).where(Project.id == project_id))
        s.commit()


def _start_committed(engine, settings, user_id: int, project_id: int) -> str:
    """One start in its own transaction, like a request served by another worker."""
    with Session(engine, info=session_info(outbox)) as s:
        try:
            service.start_timer(
                s, TimerStart(project_id=project_id), actor=Identity(user_id=user_id, role="user"), settings=settings
            )
        except TimerAlreadyRunningError:
            s.rollback()
            return "conflict"
        s.commit()
        return "started"


class TestConcurrentStarts:
    def test_exactly_one_of_simultaneous_starts_runs(self, engine, settings, race):
        user_id, project_id = race
        barrier = threading.Barrier(WORKERS)

        def start(_: int) -> str:
            barrier.wait(timeout=10)
            return _start_committed(engine, settings, user_id, project_id)

        with ThreadPoolExecutor(WORKERS) as pool:
            outcomes = list(pool.map(start, range(WORKERS)))
        assert sorted(outcomes) == ["conflict"] * (WORKERS - 1) + ["started"]
        with Session(engine) as s:
            running = select(func.count()).where(TimeEntry.user_id == user_id, TimeEntry.end_time.is_(None))
            assert s.scalar(running) == 1
            started = (
                select(func.count())
                .select_from(outbox)
                .where(
                    outbox.c.subject == "tt.tracking.time_entry.started",
                    outbox.c.payload["data"]["user_id"].astext == str(user_id),
                )
            )
            assert s.scalar(started) == 1
