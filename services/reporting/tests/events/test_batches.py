"""A fetched batch through the batch handler ends exactly where its events applied one at a
time, in order, end: entries, every rollup level, the replicas. Each scenario is applied both
ways from the same starting state (two savepoints of the test's transaction) and compared row
by row; the consumer's own path shows a redelivered batch changes nothing."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from reporting import events as subjects
from reporting.consumers import consumers_for
from reporting.models import Entry, KnownProject, KnownTask, KnownUser, outbox, processed_events
from reporting.readmodel import rollups
from shared.events import EventEnvelope, MalformedEvent
from shared.events.consumer import DurableConsumer
from shared.testing.contracts import example_payload
from shared.testing.database import savepoint_session

T0 = datetime(2024, 3, 5, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def event(action: str, data: dict, at: datetime, entity: str = "time_entry") -> EventEnvelope:
    subject = f"tt.tracking.{entity}.{action}"
    return EventEnvelope(
        type=subject, source="tracking", entity_id=str(data["id"]), data=example_payload(subject, **data),
        occurred_at=at,
    )  # fmt: skip


@pytest.fixture
def tracking(settings):
    return next(spec for spec in consumers_for(settings.zone) if spec.name == subjects.TRACKING_CONSUMER)


def snapshot(session, data: list[dict]) -> dict[str, list[tuple]]:
    """The rows the events can touch: their entries, their users' and projects' buckets."""
    ids = {d["id"] for d in data}
    users = {d["user_id"] for d in data}
    projects = {d["project_id"] or 0 for d in data}
    entries = session.execute(select(Entry.__table__).where(Entry.id.in_(ids)).order_by(Entry.id)).mappings()
    out = {"entries": [dict(row) for row in entries]}
    for model in rollups.LEVELS:
        table = model.__table__
        mine = table.c.user_id.in_(users) if "user_id" in table.c else table.c.project_id.in_(projects)
        rows = [dict(row) for row in session.execute(select(table).where(mine)).mappings()]
        out[table.name] = sorted(rows, key=lambda row: tuple(str(v) for v in row.values()))
    return out


def both_ways(session, tracking, batch: list[EventEnvelope], data: list[dict]):
    """(one at a time, batched) snapshots, each from the state the test set up before."""
    results = []
    for apply in (
        lambda: [tracking.handler(session, e) for e in batch],
        lambda: tracking.batch_handler(session, batch),
    ):
        nested = session.begin_nested()
        apply()
        session.flush()
        session.expire_all()
        results.append(snapshot(session, data))
        nested.rollback()
    return results


def test_two_events_of_one_entry_in_a_batch_end_as_one_at_a_time(session, tracking, user_id, entry_data):
    created = entry_data(user_id=user_id, project_id=7001, start=T0, end=T0 + timedelta(hours=1))
    moved = dict(created, project_id=7002, start_time="2024-03-06T09:00:00Z", end_time="2024-03-06T09:30:00Z",
                 duration_seconds=1800)  # fmt: skip
    batch = [event("created", created, NOW), event("updated", moved, NOW + timedelta(seconds=1))]
    one, batched = both_ways(session, tracking, batch, [created, moved])
    assert batched == one
    # only the bucket the entry ended in: the emptied one was deleted
    assert [(r["day"], r["project_id"], r["seconds"], r["entries"]) for r in batched["day_totals"]] == [
        (date(2024, 3, 6), 7002, 1800, 1)
    ]


def test_two_entries_of_one_bucket_in_a_batch_add_up(session, tracking, user_id, entry_data):
    a = entry_data(user_id=user_id, project_id=7003, start=T0, end=T0 + timedelta(hours=1))
    b = entry_data(user_id=user_id, project_id=7003, start=T0 + timedelta(hours=2), end=T0 + timedelta(hours=3),
                   billable=False)  # fmt: skip
    batch = [event("created", a, NOW), event("created", b, NOW)]
    one, batched = both_ways(session, tracking, batch, [a, b])
    assert batched == one
    assert [(r["seconds"], r["billable_seconds"], r["entries"]) for r in batched["day_totals"]] == [(7200, 3600, 2)]


def test_created_updated_and_deleted_in_one_batch_leave_a_tombstone_only(session, tracking, user_id, entry_data):
    data = entry_data(user_id=user_id, project_id=7004, start=T0, end=T0 + timedelta(hours=1))
    longer = dict(data, end_time="2024-03-05T12:00:00Z", duration_seconds=10800)
    batch = [event("created", data, NOW), event("updated", longer, NOW + timedelta(seconds=1)),
             event("deleted", longer, NOW + timedelta(seconds=2))]  # fmt: skip
    one, batched = both_ways(session, tracking, batch, [data])
    assert batched == one
    assert all(not batched[t.__tablename__] for t in rollups.LEVELS)
    assert [row["deleted"] for row in batched["entries"]] == [True]


def test_events_out_of_order_within_a_batch_keep_the_newest(session, tracking, user_id, entry_data):
    a = entry_data(user_id=user_id, project_id=7005, start=T0, end=T0 + timedelta(hours=1))
    b = entry_data(user_id=user_id, project_id=7005, start=T0 + timedelta(hours=4), end=T0 + timedelta(hours=5))
    a_later = dict(a, end_time="2024-03-05T11:00:00Z", duration_seconds=7200)
    batch = [
        event("updated", a_later, NOW + timedelta(seconds=2)),
        event("created", a, NOW),  # older than what a holds by now: nothing
        event("deleted", b, NOW + timedelta(seconds=3)),
        event("updated", b, NOW + timedelta(seconds=2)),  # cannot revive b
        event("created", b, NOW + timedelta(seconds=1)),
    ]
    one, batched = both_ways(session, tracking, batch, [a, b])
    assert batched == one
    assert [(r["seconds"], r["entries"]) for r in batched["day_totals"]] == [(7200, 1)]


def test_a_batch_over_stored_entries_subtracts_what_they_held(session, tracking, user_id, entry_data):
    a = entry_data(user_id=user_id, project_id=7006, start=T0, end=T0 + timedelta(hours=1))
    b = entry_data(user_id=user_id, project_id=7006, start=T0 + timedelta(hours=2), end=T0 + timedelta(hours=3))
    for data in (a, b):
        tracking.handler(session, event("created", data, NOW))
    moved = dict(a, project_id=7007, start_time="2024-04-01T08:00:00Z", end_time="2024-04-01T08:10:00Z",
                 duration_seconds=600)  # fmt: skip
    batch = [
        event("updated", dict(b, duration_seconds=1), NOW - timedelta(seconds=1)),  # older than stored: nothing
        event("updated", moved, NOW + timedelta(seconds=1)),
        event("deleted", b, NOW + timedelta(seconds=1)),
    ]
    one, batched = both_ways(session, tracking, batch, [a, b, moved])
    assert batched == one
    assert [(r["day"], r["project_id"], r["seconds"]) for r in batched["day_totals"]] == [(date(2024, 4, 1), 7007, 600)]


def test_a_random_history_batched_equals_one_at_a_time(session, tracking, next_user_id, entry_data):
    """Many events over few entries, users, projects and days, shuffled in time and order."""
    rng = random.Random(17)
    users = [next_user_id() for _ in range(2)]
    entries = [entry_data(user_id=users[0], project_id=7010) for _ in range(8)]
    data, batch = list(entries), []
    for _ in range(120):
        base = rng.choice(entries)
        start = T0 + timedelta(days=rng.randrange(3), hours=rng.randrange(8))
        end = None if rng.random() < 0.1 else start + timedelta(minutes=rng.randrange(1, 120))
        state = entry_data(id=base["id"], user_id=rng.choice(users), project_id=rng.choice([7010, 7011, None]),
                           start=start, end=end, billable=rng.random() < 0.7)  # fmt: skip
        data.append(state)
        action = rng.choice(["created", "updated", "updated", "deleted"])
        batch.append(event(action, state, NOW + timedelta(milliseconds=rng.randrange(60))))
    one, batched = both_ways(session, tracking, batch, data)
    assert batched == one
    assert any(batched[t.__tablename__] for t in rollups.LEVELS)
    tracking.batch_handler(session, batch)
    session.flush()
    assert set(rollups.differences(session).values()) == {0}


def test_projects_and_tasks_in_a_batch_keep_the_event_time_guard(session, tracking):
    pid, tid = 7_100_001, 7_100_002
    project = {"id": pid, "name": "P1", "client_id": 77, "status": "active", "hourly_rate": None,
               "estimated_hours": None, "budget_amount": None, "created_by": 5}  # fmt: skip
    task = {"id": tid, "project_id": pid, "name": "T1", "status": "todo", "due_date": None, "assigned_to": None,
            "created_by": 5}  # fmt: skip
    renamed = {key: value for key, value in project.items() if key != "created_by"} | {"name": "P2"}
    batch = [
        event("created", project, NOW, "project"),
        event("updated", renamed, NOW + timedelta(seconds=2), "project"),  # leaves created_by as it was
        event("updated", project | {"name": "P-old"}, NOW + timedelta(seconds=1), "project"),  # older: nothing
        event("created", task, NOW, "task"),
        event("deleted", task, NOW + timedelta(seconds=1), "task"),
    ]
    rows = []
    for apply in (
        lambda: [tracking.handler(session, e) for e in batch],
        lambda: tracking.batch_handler(session, batch),
    ):
        nested = session.begin_nested()
        apply()
        session.flush()
        session.expire_all()
        rows.append((
            dict(session.execute(select(KnownProject.__table__).where(KnownProject.id == pid)).mappings().one()),
            dict(session.execute(select(KnownTask.__table__).where(KnownTask.id == tid)).mappings().one()),
        ))  # fmt: skip
        nested.rollback()
    assert rows[1] == rows[0]
    project_row, task_row = rows[1]
    assert (project_row["name"], task_row["deleted"]) == ("P2", True)


def test_user_events_leaving_a_column_out_keep_it_in_a_batch_too(session, settings, next_user_id):
    """An event without `week_start_day` (an older producer's) keeps the stored one: the
    batch's rows of one user go in rounds, one statement per column set."""
    users = next(spec for spec in consumers_for(settings.zone) if spec.name == subjects.USERS_CONSUMER)
    uid = next_user_id()
    base = {"id": uid, "username": f"u{uid}", "full_name": None, "role": "user", "is_admin": False,
            "is_active": True, "timezone": None, "standard_hours_per_day": 8.0}  # fmt: skip

    def user_event(action, at, **fields):
        subject = f"tt.auth.user.{action}"
        data = {k: v for k, v in example_payload(subject, **(base | fields)).items() if k not in fields or fields[k]}
        return EventEnvelope(type=subject, source="auth", entity_id=str(uid), data=data, occurred_at=at)

    batch = [
        user_event("created", NOW, week_start_day=3),
        user_event("updated", NOW + timedelta(seconds=2), week_start_day=0, full_name="New"),  # 0: left out
        user_event("updated", NOW + timedelta(seconds=1), week_start_day=5, full_name="Old"),  # older: nothing
    ]
    rows = []
    for apply in (lambda: [users.handler(session, e) for e in batch], lambda: users.batch_handler(session, batch)):
        nested = session.begin_nested()
        apply()
        session.flush()
        rows.append(dict(session.execute(select(KnownUser.__table__).where(KnownUser.id == uid)).mappings().one()))
        nested.rollback()
    assert rows[1] == rows[0]
    assert (rows[1]["full_name"], rows[1]["week_start_day"]) == ("New", 3)


def test_a_malformed_event_fails_the_batch_before_any_write(session, tracking, user_id, entry_data):
    good = entry_data(user_id=user_id, project_id=7012)
    bad = EventEnvelope(type="tt.tracking.time_entry.created", source="tracking", data={"id": 5, "user_id": user_id})
    with pytest.raises(MalformedEvent):
        tracking.batch_handler(session, [event("created", good, NOW), bad])
    assert session.execute(select(Entry).where(Entry.user_id == user_id)).first() is None


def test_a_redelivered_or_partly_processed_batch_applies_each_event_once(connection, tracking, user_id, entry_data):
    """Through the consumer: ids recorded in one statement, only fresh events reach the handler."""
    consumer = DurableConsumer(
        name=tracking.name, subject=tracking.subject, handler=tracking.handler, batch_handler=tracking.batch_handler,
        sessions=lambda: savepoint_session(connection, outbox), processed=processed_events, link=None,
    )  # fmt: skip
    a = entry_data(user_id=user_id, project_id=7013)
    b = entry_data(user_id=user_id, project_id=7013, start=T0 + timedelta(hours=2), end=T0 + timedelta(hours=3))
    first = [event("created", a, NOW)]
    second = [*first, event("created", b, NOW), first[0]]  # one seen before, one fresh, one repeated
    assert consumer.apply_all(first) == 1
    assert consumer.apply_all(second) == 1
    assert consumer.apply_all(second) == 0
    with savepoint_session(connection, outbox) as s:
        held = snapshot(s, [a, b])
    assert [(r["seconds"], r["entries"]) for r in held["day_totals"]] == [(7200, 2)]
