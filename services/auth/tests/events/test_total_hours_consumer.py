"""`users.total_seconds` follows tracking's time-entry events (the `total_hours` of users/me)."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from auth.consumers import apply_time_entry_event
from auth.models import TrackedEntry, User
from shared.events import EventEnvelope
from shared.testing.contracts import example_payload


def entry_event(action: str, entry_id: int, user_id: int, seconds: int | None, *, running: bool = False, at=None):
    end = None if running else "2024-03-05T10:00:00Z"
    subject = f"tt.tracking.time_entry.{action}"
    data = example_payload(subject, id=entry_id, user_id=user_id, duration_seconds=seconds, end_time=end)
    event = EventEnvelope(type=subject, source="tracking", entity_id=str(entry_id), data=data)
    return event if at is None else event.model_copy(update={"occurred_at": at})


def total(session, user) -> int:
    session.refresh(user)
    return user.total_seconds


def test_completed_entries_add_up_and_changes_adjust(session, make_user):
    user = make_user()
    apply_time_entry_event(session, entry_event("created", 1, user.id, 3600))
    apply_time_entry_event(session, entry_event("created", 2, user.id, 1800))
    assert total(session, user) == 5400
    apply_time_entry_event(session, entry_event("updated", 1, user.id, 7200))
    assert total(session, user) == 9000
    apply_time_entry_event(session, entry_event("deleted", 2, user.id, 1800))
    assert total(session, user) == 7200


def test_a_running_timer_counts_once_stopped(session, make_user):
    user = make_user()
    apply_time_entry_event(session, entry_event("started", 5, user.id, None, running=True))
    assert total(session, user) == 0
    apply_time_entry_event(session, entry_event("stopped", 5, user.id, 600))
    assert total(session, user) == 600


def test_an_entry_moved_to_another_user_moves_its_seconds(session, make_user):
    ann, bob = make_user(), make_user()
    apply_time_entry_event(session, entry_event("created", 7, ann.id, 100))
    apply_time_entry_event(session, entry_event("updated", 7, bob.id, 100))
    assert (total(session, ann), total(session, bob)) == (0, 100)


def test_an_older_event_arriving_late_changes_nothing(session, make_user):
    user = make_user()
    newer = entry_event("updated", 9, user.id, 500)
    apply_time_entry_event(session, newer)
    apply_time_entry_event(
        session, entry_event("created", 9, user.id, 100, at=newer.occurred_at - timedelta(seconds=5))
    )
    assert total(session, user) == 500


def test_users_me_reports_the_hours(client, session, make_user, headers_for):
    user = make_user()
    apply_time_entry_event(session, entry_event("created", 11, user.id, 5400))
    session.flush()
    r = client.get("/api/v1/users/me", headers=headers_for(user, "read:users"))
    assert r.json()["user"]["total_hours"] == 1.5


def test_a_state_older_than_the_delete_arriving_late_changes_nothing(session, make_user):
    user = make_user()
    deleted = entry_event("deleted", 10, user.id, 600)
    apply_time_entry_event(session, deleted)
    apply_time_entry_event(
        session, entry_event("created", 10, user.id, 600, at=deleted.occurred_at - timedelta(seconds=5))
    )
    assert total(session, user) == 0


def test_two_replicas_applying_one_entrys_events_at_once_count_it_once(engine, password_hash):
    """Replicas share the durable: one holds the entry's `created` uncommitted while another
    applies its `updated`. The second waits for the first and moves the total by the change."""
    with Session(engine) as setup, setup.begin():
        user = User(username=f"replicas_{uuid.uuid4().hex[:8]}", role="user", password_hash=password_hash)
        setup.add(user)
        setup.flush()
        user_id = user.id
    entry_id = 900_000_000 + user_id
    created = entry_event("created", entry_id, user_id, 3600)
    updated = entry_event("updated", entry_id, user_id, 7200, at=created.occurred_at + timedelta(seconds=1))
    try:
        first = Session(engine)
        first.begin()
        apply_time_entry_event(first, created)  # holds the entry's lock until it commits

        def second_replica() -> None:
            with Session(engine) as second, second.begin():
                apply_time_entry_event(second, updated)

        other = threading.Thread(target=second_replica)
        other.start()
        time.sleep(0.3)  # the second replica is now waiting (or, unguarded, done already)
        first.commit()
        first.close()
        other.join(10)
        with Session(engine) as check:
            assert check.get(User, user_id).total_seconds == 7200
    finally:
        with Session(engine) as cleanup, cleanup.begin():
            cleanup.execute(delete(TrackedEntry).where(TrackedEntry.entry_id == entry_id))
            cleanup.execute(delete(User).where(User.id == user_id))
