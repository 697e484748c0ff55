"""Simultaneous bulk tag changes on the same entries in real, separately committed transactions:
the row locks make each call read the tags the previous one wrote, so no tag is lost. Committed
rows are removed afterwards."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from shared.events.outbox import session_info
from shared.identity import Identity
from tracking.bulk import service
from tracking.bulk.schemas import BulkBody
from tracking.models import Project, TimeEntry, outbox

WORKERS = 8
START = datetime(2024, 1, 15, 9, 0, tzinfo=UTC)


@pytest.fixture
def committed_entries(engine, next_user_id):
    user_id = next_user_id()
    with Session(engine) as s:
        project = Project(name=f"Bulk race {user_id}", client_id=1, created_by=user_id, custom_fields={})
        s.add(project)
        s.flush()
        entries = [
            TimeEntry(
                user_id=user_id,
                project_id=project.id,
                start_time=START + timedelta(hours=2 * i),
                end_time=START + timedelta(hours=2 * i + 1),
                duration_seconds=3600,
            )
            for i in range(3)
        ]
        s.add_all(entries)
        s.commit()
        ids, project_id = [e.id for e in entries], project.id
    yield user_id, ids
    with Session(engine) as s:
        s.execute(delete(outbox).where(outbox.c.payload["data"]["user_id"].astext == str(user_id)))
        s.execute(delete(TimeEntry).where(TimeEntry.user_id == user_id))
        s.execute(delete(Project).where(Project.id == project_id))
        s.commit()


def _add_tag_committed(engine, user_id: int, ids: list[int], tag: str) -> int:
    """One bulk call in its own transaction, like a request served by another worker."""
    with Session(engine, info=session_info(outbox)) as s:
        body = BulkBody(entry_ids=ids, action="add_tag", value=tag)
        out = service.apply_bulk_action(s, body, actor=Identity(user_id=user_id, role="user"))
        s.commit()
        return out["affected"]


class TestConcurrentBulkCalls:
    def test_no_tag_is_lost(self, engine, committed_entries):
        user_id, ids = committed_entries
        barrier = threading.Barrier(WORKERS)

        def add(i: int) -> int:
            barrier.wait(timeout=10)
            # each worker names the entries in another order; the locks are still taken by id
            return _add_tag_committed(engine, user_id, ids[i % 3 :] + ids[: i % 3], f"t{i}")

        with ThreadPoolExecutor(WORKERS) as pool:
            assert list(pool.map(add, range(WORKERS))) == [3] * WORKERS
        expected = ", ".join(sorted(f"t{i}" for i in range(WORKERS)))
        with Session(engine) as s:
            assert list(s.scalars(select(TimeEntry.tags).where(TimeEntry.id.in_(ids)))) == [expected] * 3
            events = (
                select(func.count())
                .select_from(outbox)
                .where(
                    outbox.c.subject == "tt.tracking.time_entry.updated",
                    outbox.c.payload["data"]["user_id"].astext == str(user_id),
                )
            )
            assert s.scalar(events) == 3 * WORKERS
