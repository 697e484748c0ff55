"""The read models' event handlers: tracking (entries with their rollups, projects, tasks), CRM
clients and auth users. Each event carries its entity's new state (its state before, for a
delete), so a replica row is an upsert guarded by the event time, and the consumer records the
event id in the same transaction, so a redelivered event changes nothing. A fetched batch goes
through the batch handlers: the same end state in a few multi-row statements.

Handlers receive the app time zone through `consumers_for(zone)`: it fixes the entries' days."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from reporting import events
from reporting.models import AppliedPosition, KnownClient, KnownProject, KnownTask, KnownUser
from reporting.readmodel.folding import apply_entry_events
from reporting.readmodel.rollups import apply_entry_event
from shared.app import ConsumerSpec
from shared.db import utcnow
from shared.events import EventEnvelope, required
from shared.events.replica import upsert_replica, upsert_replicas


def _money(value: Any) -> Decimal | None:
    try:
        return None if value is None else Decimal(str(value))
    except InvalidOperation:
        return None


def _date(value: Any) -> date | None:
    try:
        return None if not value else date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def project_values(event: EventEnvelope) -> dict[str, Any]:
    data = event.data
    required(data, "id", "name")
    values = {
        "id": int(data["id"]),
        "name": data["name"],
        "client_id": data.get("client_id"),
        "status": data.get("status") or "active",
        "hourly_rate": _money(data.get("hourly_rate")),
        "estimated_hours": _money(data.get("estimated_hours")),
        "budget_amount": _money(data.get("budget_amount")),
    }
    if "created_by" in data:
        values["created_by"] = data["created_by"]
    return values


def task_values(event: EventEnvelope) -> dict[str, Any]:
    data = event.data
    required(data, "id", "project_id", "name")
    return {
        "id": int(data["id"]),
        "project_id": int(data["project_id"]),
        "name": data["name"],
        "status": data.get("status") or "todo",
        "due_date": _date(data.get("due_date")),
        "assigned_to": data.get("assigned_to"),
        "created_by": data.get("created_by"),
        "deleted": event.type.endswith(".deleted"),
    }


def client_values(event: EventEnvelope) -> dict[str, Any]:
    data = event.data
    required(data, "id", "name")
    return {
        "id": int(data["id"]),
        "name": data["name"],
        "default_hourly_rate": _money(data.get("default_hourly_rate")),
        "deleted": event.type.endswith(".deleted"),
    }


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
        "timezone": data.get("timezone"),
    }
    for key in ("week_start_day", "standard_hours_per_day"):
        if data.get(key) is not None:
            values[key] = data[key]
    return values


def apply_project_event(session: Session, event: EventEnvelope) -> None:
    upsert_replica(session, KnownProject, project_values(event), event)


def apply_task_event(session: Session, event: EventEnvelope) -> None:
    upsert_replica(session, KnownTask, task_values(event), event)


def apply_client_event(session: Session, event: EventEnvelope) -> None:
    upsert_replica(session, KnownClient, client_values(event), event)


def apply_user_event(session: Session, event: EventEnvelope) -> None:
    upsert_replica(session, KnownUser, user_values(event), event)


def apply_client_events(session: Session, events: list[EventEnvelope]) -> None:
    upsert_replicas(session, KnownClient, [(client_values(e), e) for e in events])


def apply_user_events(session: Session, events: list[EventEnvelope]) -> None:
    upsert_replicas(session, KnownUser, [(user_values(e), e) for e in events])


def _position_upsert() -> Any:
    stmt = insert(AppliedPosition)
    newest = func.greatest(AppliedPosition.event_at, stmt.excluded.event_at)
    return stmt.on_conflict_do_update(
        index_elements=["consumer"], set_={"event_at": newest, "applied_at": stmt.excluded.applied_at}
    )


_RECORD_POSITION = _position_upsert()  # built once: it runs for every event


def record_position(session: Session, consumer: str, event: EventEnvelope) -> None:
    """The newest event time this consumer has applied (never moves back)."""
    session.execute(_RECORD_POSITION, {"consumer": consumer, "event_at": event.occurred_at, "applied_at": utcnow()})


Handler = Callable[[Session, EventEnvelope], None]
BatchHandler = Callable[[Session, list[EventEnvelope]], None]


def tracking_handler(zone: tzinfo) -> Handler:
    """Every tracking event: entries (with their rollups), projects, tasks; approvals are not
    read here."""

    def apply(session: Session, event: EventEnvelope) -> None:
        entity = event.type.split(".")[2]
        if entity == "time_entry":
            apply_entry_event(session, event, zone)
        elif entity == "project":
            apply_project_event(session, event)
        elif entity == "task":
            apply_task_event(session, event)

    return apply


def tracking_batch_handler(zone: tzinfo) -> BatchHandler:
    """A batch of tracking events: entries folded (`readmodel.folding`), projects and tasks in
    multi-row upserts. Kinds are independent read models, so splitting keeps each one's order."""

    def apply(session: Session, batch: list[EventEnvelope]) -> None:
        by_entity: dict[str, list[EventEnvelope]] = {"time_entry": [], "project": [], "task": []}
        for event in batch:
            by_entity.get(event.type.split(".")[2], []).append(event)
        projects = [(project_values(e), e) for e in by_entity["project"]]
        tasks = [(task_values(e), e) for e in by_entity["task"]]
        apply_entry_events(session, by_entity["time_entry"], zone)
        upsert_replicas(session, KnownProject, projects)
        upsert_replicas(session, KnownTask, tasks)

    return apply


def _positioned(consumer: str, handler: Handler) -> Handler:
    def apply(session: Session, event: EventEnvelope) -> None:
        handler(session, event)
        record_position(session, consumer, event)

    return apply


def _positioned_batch(consumer: str, handler: BatchHandler) -> BatchHandler:
    """The position once per batch: its newest event time."""

    def apply(session: Session, batch: list[EventEnvelope]) -> None:
        handler(session, batch)
        record_position(session, consumer, max(batch, key=lambda event: event.occurred_at))

    return apply


def consumers_for(zone: tzinfo) -> tuple[ConsumerSpec, ...]:
    handlers = (
        (events.TRACKING_CONSUMER, events.TRACKING_EVENTS, tracking_handler(zone), tracking_batch_handler(zone)),
        (events.CLIENTS_CONSUMER, events.CRM_CLIENT_EVENTS, apply_client_event, apply_client_events),
        (events.USERS_CONSUMER, events.AUTH_USER_EVENTS, apply_user_event, apply_user_events),
    )
    return tuple(
        ConsumerSpec(
            name=name,
            subject=subject,
            handler=_positioned(name, handler),
            batch_handler=_positioned_batch(name, batch_handler),
        )
        for name, subject, handler, batch_handler in handlers
    )
