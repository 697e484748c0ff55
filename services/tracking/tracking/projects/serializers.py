"""The project object of tracking.md §1.1 and the project event payload."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from shared.inputs import as_number
from shared.timefmt import iso_utc
from tracking.models import Project
from tracking.projects import repository
from tracking.projects.rules import Totals, code_display, figures

UNKNOWN_CLIENT = "Unknown Client"


def _money(value) -> float | None:
    """Upstream truthiness: a stored 0 is shown as null."""
    return as_number(value) if value else None


def serialize_project(project: Project, *, client_name: str | None, totals: Totals) -> dict[str, Any]:
    return {
        "id": project.id,
        "name": project.name,
        "code": project.code,
        "code_display": code_display(project.code, project.name),
        "client_id": project.client_id,
        "client": client_name or UNKNOWN_CLIENT,
        "description": project.description,
        "billable": project.billable,
        "hourly_rate": _money(project.hourly_rate),
        "billing_ref": project.billing_ref,
        "status": project.status,
        "estimated_hours": as_number(project.estimated_hours),
        "budget_amount": _money(project.budget_amount),
        "budget_threshold_percent": project.budget_threshold_percent,
        "created_at": iso_utc(project.created_at),
        "updated_at": iso_utc(project.updated_at),
        **figures(
            totals,
            billable=project.billable,
            hourly_rate=project.hourly_rate,
            budget_amount=project.budget_amount,
            threshold_percent=project.budget_threshold_percent,
        ),
        "custom_fields": project.custom_fields or {},
        "is_archived": project.status == "archived",
        "archived_at": iso_utc(project.archived_at),
        "archived_by": project.archived_by,
        "archived_reason": project.archived_reason,
        "color": project.color,
    }


def serialize_projects(session: Session, projects: Sequence[Project]) -> list[dict[str, Any]]:
    """A page of projects: one grouped query for the entry totals, one for the client names."""
    totals = repository.entry_totals(session, (p.id for p in projects))
    names = repository.client_names(session, (p.client_id for p in projects))
    return [
        serialize_project(p, client_name=names.get(p.client_id), totals=totals.get(p.id, Totals())) for p in projects
    ]


def serialize_one(session: Session, project: Project) -> dict[str, Any]:
    return serialize_projects(session, [project])[0]


def event_data(project: Project, serialized: dict[str, Any]) -> dict[str, Any]:
    """The API object plus `created_by`: other services' replicas apply project scope."""
    return serialized | {"created_by": project.created_by}
