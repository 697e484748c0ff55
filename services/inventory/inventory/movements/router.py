"""`/api/v1/inventory/movements` (inventory.md §4)."""

from __future__ import annotations

from fastapi import status

from inventory.deps import WriteScope
from inventory.movements import service
from inventory.movements.schemas import DevaluationRecorded, MovementCreate, MovementRecorded
from inventory.routing import feature_router
from shared.db import SessionDep

router = feature_router("/api/v1/inventory/movements", tags=["inventory"])


@router.post("", response_model=MovementRecorded | DevaluationRecorded, status_code=status.HTTP_201_CREATED)
def record_movement(body: MovementCreate, session: SessionDep, identity: WriteScope) -> dict:
    """Record a stock movement: stock level, cost layers and valuation change with it
    (a devaluation answers only its message)."""
    return service.record_movement(session, body, actor=identity)
