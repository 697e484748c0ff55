"""Replicas fed by other services' events: users (note authors), projects (client counts)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from crm.consumers import apply_project_event, apply_project_events, apply_user_event
from crm.models import KnownProject, KnownUser, processed_events
from shared.events import EventEnvelope
from shared.events.consumer import DurableConsumer
from shared.testing.contracts import example_payload


def envelope(type: str, data: dict, entity_id: int) -> EventEnvelope:
    """The event as its producer sends it (`example_payload`: every field of its contract)."""
    payload = example_payload(type, **data)
    return EventEnvelope(type=type, source=type.split(".")[1], entity_id=str(entity_id), data=payload)


def test_user_events_upsert_the_author_names(session):
    ann = {"id": 5, "username": "ann", "is_active": True}
    apply_user_event(session, envelope("tt.auth.user.created", {**ann, "full_name": None}, 5))
    apply_user_event(session, envelope("tt.auth.user.updated", {**ann, "full_name": "Ann B"}, 5))
    user = session.get(KnownUser, 5)
    assert (user.username, user.full_name, user.is_active) == ("ann", "Ann B", True)


def test_a_deleted_user_stays_known_but_inactive(session):
    apply_user_event(session, envelope("tt.auth.user.created", {"id": 6, "username": "bob"}, 6))
    apply_user_event(session, envelope("tt.auth.user.deleted", {"id": 6, "username": "bob", "is_active": False}, 6))
    assert session.get(KnownUser, 6).is_active is False


def test_project_events_keep_client_and_status(session):
    apply_project_event(
        session, envelope("tt.tracking.project.created", {"id": 70, "client_id": 3, "status": "active"}, 70)
    )
    apply_project_event(
        session, envelope("tt.tracking.project.updated", {"id": 70, "client_id": 4, "status": "archived"}, 70)
    )
    project = session.get(KnownProject, 70)
    assert (project.client_id, project.status) == (4, "archived")


def test_an_older_event_arriving_late_changes_nothing(session):
    newer = envelope("tt.auth.user.updated", {"id": 8, "username": "cy", "full_name": "Cy New"}, 8)
    older = envelope("tt.auth.user.updated", {"id": 8, "username": "cy", "full_name": "Cy Old"}, 8)
    older = older.model_copy(update={"occurred_at": newer.occurred_at - timedelta(seconds=1)})
    apply_user_event(session, newer)
    apply_user_event(session, older)
    session.expire_all()
    assert session.get(KnownUser, 8).full_name == "Cy New"
    archived = envelope("tt.tracking.project.archived", {"id": 71, "client_id": 3, "status": "archived"}, 71)
    created = envelope("tt.tracking.project.created", {"id": 71, "client_id": 3, "status": "active"}, 71)
    created = created.model_copy(update={"occurred_at": archived.occurred_at - timedelta(seconds=1)})
    apply_project_event(session, archived)
    apply_project_event(session, created)
    session.expire_all()
    assert session.get(KnownProject, 71).status == "archived"


def test_the_same_event_twice_has_one_effect(engine, session):
    """Through the durable consumer's own transaction: the second delivery changes nothing."""
    sessions = sessionmaker(bind=engine)
    consumer = DurableConsumer(
        name=f"test-{uuid.uuid4().hex[:6]}",
        subject="tt.tracking.project.>",
        handler=apply_project_event,
        sessions=sessions,
        processed=processed_events,
        link=None,
    )
    project_id = 900_000 + uuid.uuid4().int % 1000
    event = envelope("tt.tracking.project.created", {"id": project_id, "client_id": 1, "status": "active"}, project_id)
    try:
        assert consumer.apply(event) is True
        assert consumer.apply(event) is False
        with sessions() as s:
            assert s.scalars(select(KnownProject.id).where(KnownProject.id == project_id)).all() == [project_id]
    finally:
        with sessions() as s, s.begin():
            s.execute(KnownProject.__table__.delete().where(KnownProject.id == project_id))
            s.execute(processed_events.delete().where(processed_events.c.consumer == consumer.name))


def test_a_batch_ends_where_its_events_one_at_a_time_end(session):
    """Several events of one project (out of order too) and of several: multi-row upserts, in
    rounds per project, with the same event-time guard."""

    def project_event(action, pid, client_id, status, seconds):
        event = envelope(f"tt.tracking.project.{action}", {"id": pid, "client_id": client_id, "status": status}, pid)
        return event.model_copy(update={"occurred_at": event.occurred_at + timedelta(seconds=seconds)})

    batch = [
        project_event("created", 80, 1, "active", 0),
        project_event("created", 81, 1, "active", 0),
        project_event("updated", 80, 2, "active", 2),
        project_event("archived", 80, 2, "archived", 1),  # older than the update before it
        project_event("updated", 81, 3, "archived", 1),
    ]
    rows = []
    for apply in (
        lambda: [apply_project_event(session, e) for e in batch],
        lambda: apply_project_events(session, batch),
    ):
        nested = session.begin_nested()
        apply()
        session.flush()
        columns = (KnownProject.id, KnownProject.client_id, KnownProject.status, KnownProject.event_at)
        found = session.execute(select(*columns).where(KnownProject.id.in_([80, 81])).order_by(KnownProject.id)).all()
        rows.append([tuple(r) for r in found])
        nested.rollback()
    assert rows[1] == rows[0]
    assert [r[:3] for r in rows[1]] == [(80, 2, "active"), (81, 3, "archived")]
