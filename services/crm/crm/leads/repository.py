"""Lead queries: the filtered, searched list."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import Select, select

from crm.models import Lead
from shared.db import contains_any

SEARCHED_COLUMNS = (Lead.first_name, Lead.last_name, Lead.company_name, Lead.email)


def list_statement(
    *,
    status: str | None,
    excluded_statuses: Collection[str],
    source: str | None,
    owner_id: int | None,
    search: str | None,
) -> Select:
    """Best score first, then newest."""
    stmt = select(Lead).order_by(Lead.score.desc(), Lead.created_at.desc(), Lead.id.desc())
    if status is not None:
        stmt = stmt.where(Lead.status == status)
    if excluded_statuses:
        stmt = stmt.where(Lead.status.not_in(sorted(excluded_statuses)))
    if source is not None:
        stmt = stmt.where(Lead.source == source)
    if owner_id is not None:
        stmt = stmt.where(Lead.owner_id == owner_id)
    if search:
        stmt = stmt.where(contains_any(search, *SEARCHED_COLUMNS))
    return stmt
