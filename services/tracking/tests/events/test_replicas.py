"""Replicas fed by other services' events: auth users and CRM clients."""

from __future__ import annotations

from datetime import timedelta

from shared.events import EventEnvelope
from shared.testing.contracts import example_payload
from tracking.consumers import apply_client_event, apply_user_event
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
