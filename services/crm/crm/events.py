"""Event subjects the CRM service publishes and consumes. Every change is written through the
outbox in the caller's transaction and carries the entity's new state (its API object)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from shared.events import record
from shared.identity import Identity

SOURCE = "crm"

# Subjects consumed from other services.
AUTH_USER_EVENTS = "tt.auth.user.>"
TRACKING_PROJECT_EVENTS = "tt.tracking.project.>"


def subject(entity: str, action: str) -> str:
    """`tt.crm.<entity>.<created|updated|deleted>`; entities: client, client_note, contact,
    deal, lead, quote."""
    return f"tt.crm.{entity}.{action}"


def emit(
    session: Session, entity: str, action: str, *, entity_id: int, data: dict[str, Any], actor: Identity | None
) -> None:
    record(session, source=SOURCE, type=subject(entity, action), entity_id=entity_id, data=data, actor=actor)
