"""Event subjects the inventory service publishes (inventory.md §7). Every change is written
through the outbox in the caller's transaction and carries the new state (the API object)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from shared.events import record
from shared.identity import Identity

SOURCE = "inventory"
# entity → the actions it is published with.
ACTIONS = {
    "stock_item": ("created", "updated"),
    "warehouse": ("created", "updated"),
    "movement": ("recorded",),
    "transfer": ("completed",),
}


def subject(entity: str, action: str) -> str:
    """`tt.inventory.<entity>.<action>`."""
    return f"tt.inventory.{entity}.{action}"


def emit(
    session: Session, entity: str, action: str, *, entity_id: int, data: dict[str, Any], actor: Identity | None
) -> None:
    record(session, source=SOURCE, type=subject(entity, action), entity_id=entity_id, data=data, actor=actor)
