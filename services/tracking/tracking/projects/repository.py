"""Project queries: the scoped list, uniqueness lookups, and the per-page figures (entry totals,
client names) fetched with one query each."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from shared.inputs import row_id
from tracking.models import KnownClient, Project, TimeEntry
from tracking.projects.rules import Totals


def list_statement(*, scope: ColumnElement[bool] | None, status: str | None, client_id: int | None) -> Select:
    stmt = select(Project).order_by(Project.name, Project.id)
    if scope is not None:
        stmt = stmt.where(scope)
    if status is not None:
        stmt = stmt.where(Project.status == status)
    if client_id is not None:
        stmt = stmt.where(Project.client_id == row_id(client_id))
    return stmt


def find_by_code(session: Session, code: str, *, exclude_id: int | None = None) -> Project | None:
    stmt = select(Project).where(Project.code == code)
    if exclude_id is not None:
        stmt = stmt.where(Project.id != exclude_id)
    return session.scalars(stmt.limit(1)).first()


def find_by_client_and_name(
    session: Session, client_id: int, name: str, *, exclude_id: int | None = None
) -> Project | None:
    stmt = select(Project).where(Project.client_id == client_id, Project.name == name)
    if exclude_id is not None:
        stmt = stmt.where(Project.id != exclude_id)
    return session.scalars(stmt.limit(1)).first()


def entry_totals(session: Session, project_ids: Iterable[int]) -> dict[int, Totals]:
    """project id → Σ duration_seconds of its completed entries (all, billable)."""
    ids = set(project_ids)
    if not ids:
        return {}
    seconds = func.coalesce(func.sum(TimeEntry.duration_seconds), 0)
    billable = func.coalesce(func.sum(TimeEntry.duration_seconds).filter(TimeEntry.billable.is_(True)), 0)
    stmt = (
        select(TimeEntry.project_id, seconds, billable)
        .where(TimeEntry.project_id.in_(ids), TimeEntry.end_time.is_not(None))
        .group_by(TimeEntry.project_id)
    )
    return {pid: Totals(int(total), int(bill)) for pid, total, bill in session.execute(stmt)}


def client_names(session: Session, client_ids: Iterable[int]) -> dict[int, str]:
    """Names from the CRM replica, deleted clients included (old projects keep their name)."""
    ids = set(client_ids)
    if not ids:
        return {}
    rows = session.execute(select(KnownClient.id, KnownClient.name).where(KnownClient.id.in_(ids)))
    return {client_id: name for client_id, name in rows}
