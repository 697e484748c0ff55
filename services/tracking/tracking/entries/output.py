"""Entry objects for responses and events, display names looked up once per page.

Same objects as `serializers.serialize_entries` / `serialize_one`, whose name lookup
(`dict(session.execute(...).tuples())`) fails on SQLAlchemy 2.1: a Result has `keys()`, so
`dict()` reads it as a mapping. Once `serializers._lookup` iterates the rows, this module can
go and its callers import from `serializers`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.db import utcnow
from tracking.entries.serializers import Names, serialize_entry
from tracking.models import KnownClient, KnownUser, Project, Task, TimeEntry


def _lookup(session: Session, id_col, name_col, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {key: name for key, name in session.execute(select(id_col, name_col).where(id_col.in_(wanted)))}


def names_for(session: Session, entries: Sequence[TimeEntry]) -> Names:
    return Names(
        users=_lookup(session, KnownUser.id, KnownUser.username, (e.user_id for e in entries)),
        projects=_lookup(session, Project.id, Project.name, (e.project_id for e in entries)),
        clients=_lookup(session, KnownClient.id, KnownClient.name, (e.client_id for e in entries)),
        tasks=_lookup(session, Task.id, Task.name, (e.task_id for e in entries)),
    )


def serialize_entries(session: Session, entries: Sequence[TimeEntry]) -> list[dict[str, Any]]:
    names = names_for(session, entries)
    now = utcnow()
    return [serialize_entry(e, names, now=now) for e in entries]


def serialize_one(session: Session, entry: TimeEntry) -> dict[str, Any]:
    return serialize_entries(session, [entry])[0]
