"""Replicas kept from other services' events: auth users (names, admin flag, rounding
preferences) and CRM clients (valid `client_id`s, names, status, creator). Each event carries
the entity's new state, so applying it is an upsert guarded by the event time: with several
replicas consuming, an older event that arrives late changes nothing. A fetched batch goes in
multi-row upserts with the same result (`upsert_replicas`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from shared.app import ConsumerSpec
from shared.events import EventEnvelope, required
from shared.events.replica import upsert_replica, upsert_replicas
from tracking.events import AUTH_USER_EVENTS, CRM_CLIENT_EVENTS
from tracking.models import KnownClient, KnownUser


def user_values(event: EventEnvelope) -> dict[str, Any]:
    data = event.data
    required(data, "id", "username")
    values = {
        "id": int(data["id"]),
        "username": data["username"],
        "full_name": data.get("full_name"),
        "role": data.get("role") or "user",
        "is_admin": bool(data.get("is_admin")),
        "is_active": bool(data.get("is_active", True)) and not event.type.endswith(".deleted"),
    }
    for key in ("time_rounding_enabled", "time_rounding_minutes", "time_rounding_method"):
        if data.get(key) is not None:
            values[key] = data[key]
    return values


def client_values(event: EventEnvelope) -> dict[str, Any]:
    data = event.data
    required(data, "id", "name")
    return {
        "id": int(data["id"]),
        "name": data["name"],
        "status": data.get("status") or "active",
        "created_by": data.get("created_by"),
        "deleted": event.type.endswith(".deleted"),
    }


def apply_user_event(session: Session, event: EventEnvelope) -> None:
    upsert_replica(session, KnownUser, user_values(event), event)


def apply_user_events(session: Session, events: list[EventEnvelope]) -> None:
    upsert_replicas(session, KnownUser, [(user_values(event), event) for event in events])


def apply_client_event(session: Session, event: EventEnvelope) -> None:
    upsert_replica(session, KnownClient, client_values(event), event)


def apply_client_events(session: Session, events: list[EventEnvelope]) -> None:
    upsert_replicas(session, KnownClient, [(client_values(event), event) for event in events])


CONSUMERS = (
    ConsumerSpec(
        name="tracking-users", subject=AUTH_USER_EVENTS, handler=apply_user_event, batch_handler=apply_user_events
    ),
    ConsumerSpec(
        name="tracking-clients",
        subject=CRM_CLIENT_EVENTS,
        handler=apply_client_event,
        batch_handler=apply_client_events,
    ),
)
