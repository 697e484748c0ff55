"""Pagination of CONVENTIONS §5: lenient `page`/`per_page` parsing and the `pagination` object."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100
# Far beyond any real last page, and small enough that the SQL offset stays a bigint.
MAX_PAGE = 10**12


def _to_int(raw: str | None) -> int | None:
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None


@dataclass(frozen=True)
class PageParams:
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    @classmethod
    def parse(cls, page: str | None, per_page: str | None) -> PageParams:
        """Non-integers fall back to defaults; `page < 1` → 1, `per_page < 1` → 50, `> 100` → 100."""
        p = _to_int(page)
        pp = _to_int(per_page)
        p = 1 if p is None or p < 1 else min(p, MAX_PAGE)
        pp = DEFAULT_PER_PAGE if pp is None or pp < 1 else min(pp, MAX_PER_PAGE)
        return cls(page=p, per_page=pp)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


async def page_params(
    page: Annotated[str | None, Query(description="Page number (default 1)")] = None,
    per_page: Annotated[str | None, Query(description="Items per page (default 50, max 100)")] = None,
) -> PageParams:
    return PageParams.parse(page, per_page)


PageDep = Annotated[PageParams, Depends(page_params)]


def pagination_object(params: PageParams, total: int) -> dict[str, Any]:
    pages = math.ceil(total / params.per_page) if total else 0
    has_next = params.page < pages
    has_prev = params.page > 1
    return {
        "page": params.page,
        "per_page": params.per_page,
        "total": total,
        "pages": pages,
        "has_next": has_next,
        "has_prev": has_prev,
        "next_page": params.page + 1 if has_next else None,
        "prev_page": params.page - 1 if has_prev else None,
    }


def paginate(session: Session, stmt: Select, params: PageParams) -> tuple[list[Any], dict[str, Any]]:
    """Run `stmt` for one page; returns the rows (scalars) and the pagination object."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = list(session.scalars(stmt.limit(params.per_page).offset(params.offset)))
    return rows, pagination_object(params, total)
