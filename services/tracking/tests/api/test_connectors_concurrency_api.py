"""Simultaneous connector writes in real, separately committed transactions, like requests served
by several workers: two GitHub syncs upserting one issue create one task; two calendar syncs
import each event once. Committed rows are removed afterwards."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from shared.events.outbox import session_info
from shared.identity import Identity
from tracking.connectors import service
from tracking.connectors.schemas import EntriesImport, TaskUpsert
from tracking.models import Project, Task, TimeEntry, outbox

WORKERS = 8
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def committed_project(engine, next_user_id):
    user_id = next_user_id()
    with Session(engine) as s:
        project = Project(name=f"Connector race {user_id}", client_id=1, created_by=user_id, custom_fields={})
        s.add(project)
        s.commit()
        project_id = project.id
    yield user_id, project_id
    with Session(engine) as s:
        s.execute(delete(outbox).where(outbox.c.payload["actor"]["user_id"].astext == str(user_id)))
        s.execute(delete(TimeEntry).where(TimeEntry.user_id == user_id))
        s.execute(delete(Task).where(Task.project_id == project_id))
        s.execute(delete(Project).where(Project.id == project_id))
        s.commit()


def _in_parallel(run) -> list:
    barrier = threading.Barrier(WORKERS)

    def one(_: int):
        barrier.wait(timeout=10)
        return run()

    with ThreadPoolExecutor(WORKERS) as pool:
        return list(pool.map(one, range(WORKERS)))


def _committed(engine, call):
    """One call in its own transaction, committed."""
    with Session(engine, info=session_info(outbox)) as s:
        out = call(s)
        s.commit()
        return out


def _events_of(engine, subject: str, user_id: int) -> int:
    with Session(engine) as s:
        stmt = (
            select(func.count())
            .select_from(outbox)
            .where(outbox.c.subject == subject, outbox.c.payload["actor"]["user_id"].astext == str(user_id))
        )
        return s.scalar(stmt)


class TestConcurrentUpserts:
    def test_simultaneous_upserts_of_one_ref_create_one_task(self, engine, settings, committed_project):
        user_id, project_id = committed_project
        actor = Identity(user_id=user_id, role="user", service="integrations")
        body = TaskUpsert(
            project_id=project_id, external_ref="github_issue_1", name="Race", priority="low", update_existing=True
        )
        outcomes = _in_parallel(
            lambda: _committed(engine, lambda s: service.upsert_task(s, body, actor=actor, settings=settings))
        )
        assert sorted(o["created"] for o in outcomes) == [False] * (WORKERS - 1) + [True]
        assert not any(o["updated"] for o in outcomes)
        assert len({o["task_id"] for o in outcomes}) == 1
        with Session(engine) as s:
            assert s.scalar(select(func.count()).where(Task.project_id == project_id)) == 1
        assert _events_of(engine, "tt.tracking.task.created", user_id) == 1
        assert _events_of(engine, "tt.tracking.task.updated", user_id) == 0


class TestConcurrentImports:
    def test_simultaneous_imports_of_the_same_events_import_each_once(self, engine, settings, committed_project):
        user_id, project_id = committed_project
        actor = Identity(user_id=user_id, role="user", service="integrations")
        events = [
            {"event_id": f"ev{i}", "summary": "Meeting", "start": T0 + timedelta(hours=i),
             "end": T0 + timedelta(hours=i, minutes=45)}
            for i in range(5)
        ]  # fmt: skip
        body = EntriesImport(project_id=project_id, events=events)
        outcomes = _in_parallel(
            lambda: _committed(engine, lambda s: service.import_entries(s, body, actor=actor, settings=settings))
        )
        assert sum(o["imported"] for o in outcomes) == 5
        assert sum(o["skipped"] for o in outcomes) == 5 * (WORKERS - 1)
        with Session(engine) as s:
            notes = s.scalars(select(TimeEntry.notes).where(TimeEntry.user_id == user_id)).all()
        assert sorted(notes) == sorted(f"Meeting [gcal:ev{i}]" for i in range(5))
        assert _events_of(engine, "tt.tracking.time_entry.created", user_id) == 5
