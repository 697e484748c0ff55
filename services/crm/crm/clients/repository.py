"""Client queries: lookups, the scoped list, project counts from the project replica."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, Select, exists, func, select
from sqlalchemy.orm import Session

from crm.models import Client, KnownProject, Quote


def find_by_name(session: Session, name: str, *, exclude_id: int | None = None) -> Client | None:
    stmt = select(Client).where(Client.name == name)
    if exclude_id is not None:
        stmt = stmt.where(Client.id != exclude_id)
    return session.scalars(stmt.limit(1)).first()


def list_statement(*, scope: ColumnElement[bool] | None, status: str | None) -> Select:
    stmt = select(Client).order_by(Client.name, Client.id)
    if scope is not None:
        stmt = stmt.where(scope)
    if status is not None:
        stmt = stmt.where(Client.status == status)
    return stmt


def project_counts(session: Session, client_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """client id → (all projects, active projects)."""
    ids = list(client_ids)
    if not ids:
        return {}
    stmt = (
        select(
            KnownProject.client_id,
            func.count(),
            func.count().filter(KnownProject.status == "active"),
        )
        .where(KnownProject.client_id.in_(ids))
        .group_by(KnownProject.client_id)
    )
    return {client_id: (total, active) for client_id, total, active in session.execute(stmt)}


def has_projects(session: Session, client_id: int) -> bool:
    return bool(session.scalar(select(exists().where(KnownProject.client_id == client_id))))


def has_quotes(session: Session, client_id: int) -> bool:
    return bool(session.scalar(select(exists().where(Quote.client_id == client_id))))
