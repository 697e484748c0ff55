"""Display names from the replicas, by id, for the features that show them."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from reporting.models import KnownProject


def project_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """The names of the projects the replica knows among `ids` (absent: not known yet, or gone)."""
    wanted = set(ids)
    if not wanted:
        return {}
    rows = session.execute(select(KnownProject.id, KnownProject.name).where(KnownProject.id.in_(wanted)))
    return dict(rows.tuples().all())
