"""Bulk-action queries."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracking.models import TimeEntry


def lock_entries(session: Session, entry_ids: Collection[int]) -> list[TimeEntry]:
    """The existing entries among `entry_ids`, row-locked until the transaction ends. Locking in
    id order keeps two overlapping bulk calls from deadlocking each other."""
    if not entry_ids:
        return []
    stmt = select(TimeEntry).where(TimeEntry.id.in_(entry_ids)).order_by(TimeEntry.id).with_for_update()
    return list(session.scalars(stmt.execution_options(populate_existing=True)))
