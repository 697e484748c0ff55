"""A fetched batch of entry events, folded (`apply_time_entry_events`), leaves the same totals
and per-entry rows as its events applied one at a time, in order; through the consumer, a
redelivered or partly processed batch applies each event once."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from auth.consumers import CONSUMERS, apply_time_entry_event, apply_time_entry_events
from auth.models import TrackedEntry, User, outbox, processed_events
from shared.events import EventEnvelope
from shared.events.consumer import DurableConsumer
from shared.testing.contracts import example_payload
from shared.testing.database import savepoint_session

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def entry_event(action: str, entry_id: int, user_id: int, seconds: int | None, *, running: bool = False, at=None):
    end = None if running else "2024-03-05T10:00:00Z"
    subject = f"tt.tracking.time_entry.{action}"
    data = example_payload(subject, id=entry_id, user_id=user_id, duration_seconds=seconds, end_time=end)
    return EventEnvelope(type=subject, source="tracking", entity_id=str(entry_id), data=data, occurred_at=at)


def state(session, users, entry_ids):
    session.expire_all()
    totals = {u.id: session.get(User, u.id).total_seconds for u in users}
    rows = session.execute(
        select(TrackedEntry.entry_id, TrackedEntry.user_id, TrackedEntry.seconds, TrackedEntry.event_at)
        .where(TrackedEntry.entry_id.in_(entry_ids))
        .order_by(TrackedEntry.entry_id)
    ).all()
    return totals, [tuple(r) for r in rows]


def both_ways(session, batch, users, entry_ids):
    results = []
    for apply in (lambda: [apply_time_entry_event(session, e) for e in batch],
                  lambda: apply_time_entry_events(session, batch)):  # fmt: skip
        nested = session.begin_nested()
        apply()
        session.flush()
        results.append(state(session, users, entry_ids))
        nested.rollback()
    return results


def at(seconds: float):
    return NOW + timedelta(seconds=seconds)


def test_two_events_of_one_entry_and_a_move_between_users(session, make_user):
    ann, bob = make_user(), make_user()
    batch = [
        entry_event("created", 101, ann.id, 3600, at=at(0)),
        entry_event("created", 102, ann.id, 600, at=at(0)),
        entry_event("updated", 101, ann.id, 7200, at=at(1)),
        entry_event("updated", 102, bob.id, 900, at=at(2)),
    ]
    one, batched = both_ways(session, batch, [ann, bob], [101, 102])
    assert batched == one
    assert batched[0] == {ann.id: 7200, bob.id: 900}


def test_created_updated_deleted_and_out_of_order_in_one_batch(session, make_user):
    user = make_user()
    apply_time_entry_event(session, entry_event("created", 110, user.id, 100, at=at(0)))  # stored before
    batch = [
        entry_event("updated", 110, user.id, 50, at=at(-1)),  # older than stored: nothing
        entry_event("created", 111, user.id, 300, at=at(0)),
        entry_event("updated", 111, user.id, 400, at=at(1)),
        entry_event("deleted", 111, user.id, 400, at=at(2)),
        entry_event("updated", 112, user.id, 700, at=at(3)),
        entry_event("created", 112, user.id, 10, at=at(1)),  # older than the update before it
        entry_event("started", 113, user.id, None, running=True, at=at(0)),
    ]
    one, batched = both_ways(session, batch, [user], [110, 111, 112, 113])
    assert batched == one
    assert batched[0] == {user.id: 800}


def test_a_random_history_batched_equals_one_at_a_time(session, make_user):
    rng = random.Random(17)
    users = [make_user() for _ in range(3)]
    batch = [
        entry_event(rng.choice(["created", "updated", "deleted"]), 120 + rng.randrange(6), rng.choice(users).id,
                    rng.randrange(1, 5000), running=rng.random() < 0.1, at=at(rng.randrange(30) / 10))
        for _ in range(80)
    ]  # fmt: skip
    one, batched = both_ways(session, batch, users, list(range(120, 126)))
    assert batched == one


def test_a_redelivered_or_partly_processed_batch_applies_each_event_once(connection, session, make_user):
    user = make_user()
    spec = CONSUMERS[0]
    consumer = DurableConsumer(
        name=f"{spec.name}-{uuid.uuid4().hex[:6]}", subject=spec.subject, handler=spec.handler,
        batch_handler=spec.batch_handler, sessions=lambda: savepoint_session(connection, outbox),
        processed=processed_events, link=None,
    )  # fmt: skip
    first = entry_event("created", 130, user.id, 1000, at=at(0))
    second = entry_event("created", 131, user.id, 500, at=at(0))
    assert consumer.apply_all([first]) == 1
    assert consumer.apply_all([first, second, second]) == 1
    assert consumer.apply_all([first, second]) == 0
    assert state(session, [user], [130, 131])[0] == {user.id: 1500}
