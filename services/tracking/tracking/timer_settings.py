"""The persisted single-active-timer setting (tracking.md §6.2): seeded once from
`TT_SINGLE_ACTIVE_TIMER`, then changed by admins through the API."""

from __future__ import annotations

import logging

from fastapi import FastAPI
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from tracking.models import TimerSettings
from tracking.settings import TrackingSettings

log = logging.getLogger(__name__)
ROW_ID = 1


def ensure_row(session: Session, settings: TrackingSettings) -> TimerSettings:
    """The settings row, created from the environment the first time (replica-safe)."""
    row = session.get(TimerSettings, ROW_ID)
    if row is None:
        stmt = insert(TimerSettings).values(id=ROW_ID, single_active_timer=settings.single_active_timer)
        session.execute(stmt.on_conflict_do_nothing(index_elements=["id"]))
        row = session.get(TimerSettings, ROW_ID)
    return row


def single_active_timer(session: Session, settings: TrackingSettings) -> bool:
    return ensure_row(session, settings).single_active_timer


def seed_timer_settings(app: FastAPI) -> None:
    """At start-up; a database not reachable yet only logs (the first request seeds it)."""
    try:
        with app.state.sessionmaker() as session, session.begin():
            ensure_row(session, app.state.settings)
    except SQLAlchemyError as exc:
        log.warning("timer settings not seeded yet: %s", exc)
