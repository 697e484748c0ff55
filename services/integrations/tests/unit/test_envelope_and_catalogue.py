"""§1.2 subject mapping and the §1.3 envelope."""

from __future__ import annotations

import json

import pytest

from integrations.catalogue import EVENTS, webhook_event
from integrations.delivery.envelope import event_envelope, serialize
from shared.events import EventEnvelope
from shared.testing.contracts import EVENT_CONTRACTS


@pytest.mark.parametrize(
    ("subject", "name"),
    [
        ("tt.tracking.time_entry.started", "time_entry.started"),
        ("tt.tracking.project.archived", "project.archived"),
        ("tt.tracking.task.status_changed", "task.status_changed"),
        ("tt.crm.client.deleted", "client.deleted"),
        ("tt.auth.user.deleted", "user.deleted"),
        ("tt.tracking.approval.approved", None),
        ("tt.auth.api_token.revoked", None),
        ("tt.crm.deal.created", None),
        ("tt.crm.project.created", None),
        ("tt.inventory.item.created", None),
    ],
)
def test_subjects_map_to_catalogue_names(subject, name):
    assert webhook_event(subject) == name


def test_every_published_family_subject_has_its_catalogue_name():
    """What the producers publish (the event contracts) for the consumed families."""
    subjects = [p.stem for p in EVENT_CONTRACTS.glob("*.json")]
    mapped = {webhook_event(s) for s in subjects} - {None}
    expected = {e for e in EVENTS if e.split(".")[0] in {"time_entry", "project", "task", "client", "user"}}
    assert expected - mapped == {"project.deleted"}  # reserved: projects are archived, never deleted


def test_time_entry_envelope():
    event = EventEnvelope(
        type="tt.tracking.time_entry.started",
        source="tracking",
        entity_id="77",
        data={"id": 77, "project": "Website Redesign", "task": "Homepage", "client": "Acme"},
    )
    user = {"id": 3, "username": "alice", "display_name": "Alice Doe"}
    body = event_envelope("time_entry.started", event, user)
    assert body["event_type"] == "time_entry.started" and body["event_id"] == event.id
    assert body["entity"] == {"type": "time_entry", "id": 77, "name": "Website Redesign - Homepage"}
    assert body["action"] == "started" and body["user"] == user
    assert body["description"] == "Started timer for Website Redesign - Homepage"
    assert body["timestamp"].endswith("Z") and body["data"] == event.data
    raw, digest = serialize(body)
    assert json.loads(raw) == body and len(digest) == 64


def test_a_system_event_has_a_null_user_and_names_fall_back():
    event = EventEnvelope(type="tt.crm.client.created", source="crm", entity_id="5", data={"id": 5, "name": "Acme"})
    body = event_envelope("client.created", event, None)
    assert body["user"] == {"id": None, "username": None, "display_name": None}
    assert body["entity"]["name"] == "Acme" and body["description"] == "Created client Acme"
    entry = EventEnvelope(type="t", source="tracking", data={"id": 1, "project": None, "client": "Acme", "task": None})
    assert event_envelope("time_entry.created", entry, None)["entity"]["name"] == "Acme"
    user = EventEnvelope(type="t", source="auth", data={"id": 2, "username": "bob"})
    assert event_envelope("user.deleted", user, None)["entity"]["name"] == "bob"
