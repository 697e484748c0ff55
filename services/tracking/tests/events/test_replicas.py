"""Replicas fed by other services' events: auth users and CRM clients."""

from __future__ import annotations

from datetime import timedelta

from shared.events import EventEnvelope
from shared.testing.contracts import example_payload
from tracking.consumers import apply_client_event, apply_client_events, apply_user_event, apply_user_events
from tracking.models import KnownClient, KnownUser
from tracking.replicas import rounding_for, valid_client


def envelope(type: str, data: dict) -> EventEnvelope:
    """The event as its producer sends it (`example_payload`: every field of its contract)."""
    payload = example_payload(type, **data)
    return EventEnvelope(type=type, source=type.split(".")[1], entity_id=str(data["id"]), data=payload)


def test_user_events_keep_names_admin_flag_and_rounding(session):
    data = {"id": 41, "username": "ann", "role": "admin", "is_admin": True, "time_rounding_minutes": 15,
            "time_rounding_method": "up", "time_rounding_enabled": True}  # fmt: skip
    apply_user_event(session, envelope("tt.auth.user.created", data))
    user = session.get(KnownUser, 41)
    assert (user.username, user.is_admin, user.role) == ("ann", True, "admin")
    rounding = rounding_for(session, 41)
    assert (rounding.minutes, rounding.method) == (15, "up")
    apply_user_event(session, envelope("tt.auth.user.deleted", {**data, "is_active": False}))
    session.expire_all()
    assert session.get(KnownUser, 41).is_active is False


def test_an_unknown_user_rounds_nothing(session):
    assert rounding_for(session, 987654).minutes == 1


def test_client_events_keep_name_status_creator_and_deletion(session):
    apply_client_event(
        session, envelope("tt.crm.client.created", {"id": 51, "name": "Acme", "status": "active", "created_by": 7})
    )
    apply_client_event(
        session,
        envelope("tt.crm.client.updated", {"id": 51, "name": "Acme Ltd", "status": "inactive", "created_by": 7}),
    )
    client = session.get(KnownClient, 51)
    assert (client.name, client.status, client.created_by) == ("Acme Ltd", "inactive", 7)
    assert valid_client(session, 51) is not None
    apply_client_event(session, envelope("tt.crm.client.deleted", {"id": 51, "name": "Acme Ltd", "status": "inactive"}))
    session.expire_all()
    assert valid_client(session, 51) is None
    assert session.get(KnownClient, 51).name == "Acme Ltd"  # old entries keep showing the name


def test_an_older_event_arriving_late_changes_nothing(session):
    newer = envelope("tt.crm.client.updated", {"id": 52, "name": "New name"})
    older = envelope("tt.crm.client.created", {"id": 52, "name": "Old name"})
    older = older.model_copy(update={"occurred_at": newer.occurred_at - timedelta(seconds=1)})
    apply_client_event(session, newer)
    apply_client_event(session, older)
    session.expire_all()
    assert session.get(KnownClient, 52).name == "New name"


def test_a_batch_ends_where_its_events_one_at_a_time_end(session):
    """Users and clients in multi-row upserts (rounds per id), same event-time guard."""

    def later(event, seconds):
        return event.model_copy(update={"occurred_at": event.occurred_at + timedelta(seconds=seconds)})

    users = [
        envelope("tt.auth.user.created", {"id": 61, "username": "ann", "full_name": "A"}),
        later(envelope("tt.auth.user.updated", {"id": 61, "username": "ann", "full_name": "A2"}), 2),
        later(envelope("tt.auth.user.updated", {"id": 61, "username": "ann", "full_name": "old"}), 1),
        envelope("tt.auth.user.created", {"id": 62, "username": "bob"}),
    ]
    clients = [
        envelope("tt.crm.client.created", {"id": 71, "name": "Acme", "status": "active", "created_by": 1}),
        later(envelope("tt.crm.client.deleted", {"id": 71, "name": "Acme", "status": "active", "created_by": 1}), 1),
    ]

    def rows():
        session.expire_all()
        found = [(u.id, u.username, u.full_name, u.event_at) for u in (session.get(KnownUser, i) for i in (61, 62))]
        client = session.get(KnownClient, 71)
        return found, (client.name, client.deleted, client.event_at)

    results = []
    for apply in (
        lambda: [apply_user_event(session, e) for e in users] + [apply_client_event(session, e) for e in clients],
        lambda: (apply_user_events(session, users), apply_client_events(session, clients)),
    ):
        nested = session.begin_nested()
        apply()
        session.flush()
        results.append(rows())
        nested.rollback()
    assert results[1] == results[0]
    assert results[1][0][0][2] == "A2" and results[1][1][1] is True
