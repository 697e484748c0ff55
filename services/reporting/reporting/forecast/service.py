"""The project forecast (reporting.md §4.4): budget, velocity, timeline, tasks and burn rate of
one project, over every user's time on it.

No result cache is kept (the spec allows one for 10 minutes, busted by `refresh`): the answer
is one grouped read of the day rollups and one of the task replica, cheaper than keeping a
per-project cache coherent with the events. `refresh` is therefore accepted and has nothing
to bypass."""

from __future__ import annotations

import logging
from datetime import date, datetime, tzinfo
from typing import Any

from sqlalchemy.orm import Session

from reporting.conventions.access import in_project_scope
from reporting.conventions.calendar import day_of
from reporting.errors import ForecastAccessDeniedError, ForecastFailedError
from reporting.forecast import repository
from reporting.forecast.rules import Budget, TaskCounts, forecast
from reporting.models import KnownProject
from shared.db import utcnow
from shared.errors import ApiError
from shared.identity import Identity

log = logging.getLogger(__name__)

TRUTHY = frozenset({"1", "true", "yes", "on"})
# No LLM provider is configured anywhere on the platform.
AI_ENABLED = False


def truthy(raw: str | None) -> bool:
    """The dashboards' query booleans: `1`, `true`, `yes`, `on` in any case."""
    return raw is not None and raw.strip().lower() in TRUTHY


def ai_unavailable() -> dict[str, Any]:
    """The `ai` object when no LLM helper is configured."""
    return {
        "ok": False,
        "narrative": None,
        "risks": [],
        "recommendations": [],
        "error": "AI helper is not configured",
        "error_code": "ai_disabled",
    }


def _budget(project: KnownProject) -> Budget:
    return Budget(
        hours=float(project.estimated_hours or 0),
        amount=float(project.budget_amount or 0),
        hourly_rate=float(project.hourly_rate or 0),
    )


def get_project_forecast(
    session: Session,
    identity: Identity,
    *,
    project_id: int,
    zone: tzinfo,
    ai: str | None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The response body. Raises `ForecastAccessDeniedError`, and `ForecastFailedError` for any
    unexpected failure: the spec's own 500 body, not the standard error JSON."""
    now = now or utcnow()
    try:
        body = _forecast(session, identity, project_id, today=day_of(now, zone), now=now)
    except ApiError:
        raise
    except Exception as exc:  # noqa: BLE001 - reporting.md §4.4 answers every failure alike
        log.exception("forecast of project %s failed", project_id)
        raise ForecastFailedError() from exc
    result: dict[str, Any] = {"ok": True, "project_id": project_id, "ai_enabled": AI_ENABLED, "forecast": body}
    if truthy(ai):
        result["ai"] = ai_unavailable()
    return result


def _forecast(session: Session, identity: Identity, project_id: int, *, today: date, now: datetime) -> dict[str, Any]:
    """An unknown project is not anyone's to deny: it answers the all-default forecast."""
    project = repository.find_project(session, project_id)
    if project is None:
        return forecast({}, Budget(), TaskCounts(), today=today, now=now)
    if not in_project_scope(identity, project):
        raise ForecastAccessDeniedError()
    seconds = repository.seconds_by_day(session, project_id)
    tasks = repository.task_counts(session, project_id, today)
    return forecast(seconds, _budget(project), tasks, today=today, now=now)
