"""Event subjects the tracking service publishes and consumes. Every change is written through
the outbox in the caller's transaction and carries the entity's new state (its API object)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from shared.events import record, record_many
from shared.identity import Identity

SOURCE = "tracking"

# Subjects consumed from other services.
AUTH_USER_EVENTS = "tt.auth.user.>"
CRM_CLIENT_EVENTS = "tt.crm.client.>"


def subject(entity: str, action: str) -> str:
    """`tt.tracking.<entity>.<action>`: entities project, task, time_entry, approval; actions
    per tracking.md §9 (created, updated, deleted, archived, unarchived, completed, assigned,
    status_changed, started, stopped; approvals: requested, approved, rejected, cancelled)."""
    return f"tt.tracking.{entity}.{action}"


def emit(
    session: Session, entity: str, action: str, *, entity_id: int, data: dict[str, Any], actor: Identity | None
) -> None:
    record(session, source=SOURCE, type=subject(entity, action), entity_id=entity_id, data=data, actor=actor)


def emit_many(
    session: Session, entity: str, action: str, items: list[tuple[int, dict[str, Any]]], *, actor: Identity | None
) -> None:
    """`emit` for many entities (entity id, data) in one outbox statement."""
    record_many(session, source=SOURCE, type=subject(entity, action), items=items, actor=actor)
