"""Replicas kept from other services' events: users (note authors) and projects (per-client
counts, the client delete guard, deal references). Each event carries the entity's new state,
so applying it is an upsert. Rows remember when their event happened: with several replicas
consuming, an older event that arrives late is skipped. A fetched batch goes in multi-row
upserts with the same result (`upsert_replicas`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from crm.events import AUTH_USER_EVENTS, TRACKING_PROJECT_EVENTS
from crm.models import KnownProject, KnownUser
from shared.app import ConsumerSpec
from shared.events import EventEnvelope, required
from shared.events.replica import upsert_replica, upsert_replicas


def user_values(event: EventEnvelope) -> dict[str, Any]:
    data = event.data
    required(data, "id", "username")
    # A deleted user keeps their name on the notes they wrote; it only stops being active.
    return {
        "id": int(data["id"]),
        "username": data["username"],
        "full_name": data.get("full_name"),
        "is_active": bool(data.get("is_active", True)) and not event.type.endswith(".deleted"),
    }


def project_values(event: EventEnvelope) -> dict[str, Any]:
    """Tracking never deletes a project (archiving is an update of its status)."""
    data = event.data
    client_id = data.get("client_id")
    return {
        "id": int(data.get("id") or event.entity_id),
        "client_id": int(client_id) if client_id is not None else None,
        "status": data.get("status") or "active",
    }


def apply_user_event(session: Session, event: EventEnvelope) -> None:
    upsert_replica(session, KnownUser, user_values(event), event)


def apply_user_events(session: Session, events: list[EventEnvelope]) -> None:
    upsert_replicas(session, KnownUser, [(user_values(event), event) for event in events])


def apply_project_event(session: Session, event: EventEnvelope) -> None:
    upsert_replica(session, KnownProject, project_values(event), event)


def apply_project_events(session: Session, events: list[EventEnvelope]) -> None:
    upsert_replicas(session, KnownProject, [(project_values(event), event) for event in events])


CONSUMERS = (
    ConsumerSpec(name="crm-users", subject=AUTH_USER_EVENTS, handler=apply_user_event, batch_handler=apply_user_events),
    ConsumerSpec(
        name="crm-projects",
        subject=TRACKING_PROJECT_EVENTS,
        handler=apply_project_event,
        batch_handler=apply_project_events,
    ),
)
