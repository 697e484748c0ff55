"""Time-entry suggestions (reporting.md §4.5) for the token user, from the replicas: their
recent (project, task) patterns, their open assigned tasks, the project they usually work on at
this hour and their tasks due soon.

Never an error: each source reads inside its own savepoint, so a failing source contributes
nothing and leaves the request's transaction usable for the others. No LLM helper is
configured on the platform, so `rich` adds nothing and every suggestion is deterministic."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from reporting.conventions.calendar import day_start
from reporting.readmodel.names import project_names
from reporting.suggestions import repository
from reporting.suggestions.rules import (
    ACTIVE_TASK,
    ACTIVE_TASK_SCORE,
    DEADLINE,
    LIMIT,
    TIME_OF_DAY,
    TIME_OF_DAY_SCORE,
    Candidate,
    deadline_score,
    matches,
    pattern_candidates,
    rank,
)
from reporting.suggestions.serializers import NO_DETAILS, serialize_suggestion
from shared.db import utcnow
from shared.identity import Identity

log = logging.getLogger(__name__)

HISTORY_DAYS = 30
DEADLINE_HORIZON_DAYS = 7
DEADLINE_TASKS = 3
ACTIVE_TASKS = 5


@dataclass(frozen=True, slots=True)
class Moment:
    """ "Now" as the sources see it: the app time zone's today and hour, the 30-day window."""

    now: datetime
    zone: tzinfo

    @property
    def today(self) -> date:
        return self.now.astimezone(self.zone).date()

    @property
    def hour(self) -> int:
        return self.now.astimezone(self.zone).hour

    @property
    def since(self) -> datetime:
        return self.now - timedelta(days=HISTORY_DAYS)


Source = Callable[[Session, int, Moment], list[Candidate]]


def patterns(session: Session, user_id: int, at: Moment) -> list[Candidate]:
    return pattern_candidates(repository.recent_pairs(session, user_id, at.since))


def active_tasks(session: Session, user_id: int, at: Moment) -> list[Candidate]:
    begins = day_start(at.today, at.zone)
    ends = day_start(at.today + timedelta(days=1), at.zone)
    rows = repository.idle_open_tasks(session, user_id, begins, ends, ACTIVE_TASKS)
    return [Candidate(ACTIVE_TASK, project, task, ACTIVE_TASK_SCORE) for task, project in rows]


def time_of_day(session: Session, user_id: int, at: Moment) -> list[Candidate]:
    project = repository.usual_project_at_hour(session, user_id, at.since, at.hour, str(at.zone))
    return [] if project is None else [Candidate(TIME_OF_DAY, project, None, TIME_OF_DAY_SCORE)]


def deadlines(session: Session, user_id: int, at: Moment) -> list[Candidate]:
    until = at.today + timedelta(days=DEADLINE_HORIZON_DAYS)
    rows = repository.due_tasks(session, user_id, until, DEADLINE_TASKS)
    return [Candidate(DEADLINE, project, task, deadline_score(due, at.today)) for task, project, due in rows]


# The spec's de-duplication order: the first source to name a (project, task) keeps it.
SOURCES: tuple[Source, ...] = (patterns, active_tasks, time_of_day, deadlines)


def _contained(session: Session, what: str, read: Callable[[], Any], fallback: Any) -> Any:
    """`read()` in a savepoint; on any failure, log and answer `fallback`."""
    try:
        with session.begin_nested():
            return read()
    except Exception:  # noqa: BLE001 - a failing source contributes nothing (reporting.md §4.5)
        log.warning("suggestion %s failed", what, exc_info=True)
        return fallback


def _suggestions(session: Session, user_id: int, ranked: list[Candidate]) -> list[dict[str, Any]]:
    """The wire objects: names from the replicas, notes/tags/billable from the user's latest
    entry on the same pair."""
    if not ranked:
        return []

    def read() -> tuple[dict, dict, dict]:
        return (
            project_names(session, {c.project_id for c in ranked}),
            repository.task_names(session, {c.task_id for c in ranked if c.task_id is not None}),
            repository.latest_details(session, user_id, [c.key for c in ranked]),
        )

    projects, tasks, details = _contained(session, "details", read, ({}, {}, {}))
    return [
        serialize_suggestion(
            candidate,
            project_name=projects.get(candidate.project_id),
            task_name=tasks.get(candidate.task_id) if candidate.task_id is not None else None,
            details=details.get(candidate.key, NO_DETAILS),
        )
        for candidate in ranked
    ]


def suggest_time_entries(
    session: Session, identity: Identity, *, zone: tzinfo, q: str | None, now: datetime | None = None
) -> dict[str, Any]:
    """At most 5 suggestions for the caller; `q` keeps those whose project name or notes
    contain it (any case)."""
    user_id = identity.user_id
    if user_id is None:
        return {"ok": True, "suggestions": []}
    at = Moment(now or utcnow(), zone)
    candidates = [
        candidate
        for source in SOURCES
        for candidate in _contained(session, source.__name__, partial(source, session, user_id, at), [])
    ]
    query = (q or "").strip()
    suggestions = _suggestions(session, user_id, rank(candidates))
    kept = [s for s in suggestions if matches(query, s["project_name"], s["notes"])]
    return {"ok": True, "suggestions": kept[:LIMIT]}
