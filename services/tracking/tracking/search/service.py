"""Project, task and time-entry hits for the global search (reporting.md §2), within what the
searching user may see: project scope for projects and tasks, own entries for non-admins."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from shared.identity import Identity
from tracking.access import project_scope
from tracking.durations import hms
from tracking.models import Project, Task, TimeEntry
from tracking.search import repository

MAX_LIMIT = 50
# Roles that cannot view all tasks: their task hits are the ones assigned to or created by them.
OWN_TASKS_ROLES = frozenset({"user", "viewer"})
NOTES_SHOWN = 100


def _hit(kind: str, id_: int, *, title: str, description: str, url: str, badge: str) -> dict[str, Any]:
    return {
        "type": kind,
        "category": kind,
        "id": id_,
        "title": title,
        "description": description,
        "url": url,
        "badge": badge,
    }


def status_badge(status: str | None) -> str:
    """`in_progress` → `In Progress`; no status → `Task`."""
    return status.replace("_", " ").title() if status else "Task"


def entry_title(project_name: str | None, task_name: str | None) -> str:
    parts = [p for p in (project_name, f"• {task_name}" if task_name else None) if p]
    return " ".join(parts) or "Time Entry"


def entry_description(notes: str | None, tags: str | None) -> str:
    text = (notes or "")[:NOTES_SHOWN]
    return f"{text} [{tags}]" if tags else text


def project_hit(project: Project) -> dict[str, Any]:
    return _hit(
        "project",
        project.id,
        title=project.name,
        description=project.description or "",
        url=f"/projects/{project.id}",
        badge="Project",
    )


def task_hit(task: Task, project_name: str | None) -> dict[str, Any]:
    return _hit(
        "task",
        task.id,
        title=task.name,
        description=project_name or "No Project",
        url=f"/tasks/{task.id}",
        badge=status_badge(task.status),
    )


def entry_hit(entry: TimeEntry, project_name: str | None, task_name: str | None) -> dict[str, Any]:
    return _hit(
        "entry",
        entry.id,
        title=entry_title(project_name, task_name),
        description=entry_description(entry.notes, entry.tags),
        url=f"/timer/edit/{entry.id}",
        badge=hms(entry.duration_seconds or 0),
    )


def _search_text(query: str) -> str | None:
    """None for a blank query (the reporting service enforces its 2-character minimum)."""
    query = query.strip()
    return query or None


def _clamp(limit: int) -> int:
    return min(max(limit, 1), MAX_LIMIT)


def search_projects(session: Session, identity: Identity, *, query: str, limit: int) -> dict[str, Any]:
    text = _search_text(query)
    if text is None:
        return {"results": []}
    found = repository.projects(session, text, scope=project_scope(identity), limit=_clamp(limit))
    return {"results": [project_hit(p) for p in found]}


def _own_tasks_only(identity: Identity) -> bool:
    # an identity without a role is a standard user (the default role)
    return not identity.is_admin and (identity.role or "user") in OWN_TASKS_ROLES


def search_tasks(session: Session, identity: Identity, *, query: str, limit: int) -> dict[str, Any]:
    text = _search_text(query)
    restricted = _own_tasks_only(identity)
    if text is None or (restricted and identity.user_id is None):
        return {"results": []}
    rows = repository.tasks(
        session,
        text,
        scope=project_scope(identity),
        own_user_id=identity.user_id,
        restricted=restricted,
        limit=_clamp(limit),
    )
    return {"results": [task_hit(task, project_name) for task, project_name in rows]}


def search_entries(session: Session, identity: Identity, *, query: str, limit: int) -> dict[str, Any]:
    text = _search_text(query)
    if text is None or (not identity.is_admin and identity.user_id is None):
        return {"results": []}
    user_id = None if identity.is_admin else identity.user_id
    rows = repository.entries(session, text, user_id=user_id, limit=_clamp(limit))
    return {"results": [entry_hit(entry, project, task) for entry, project, task in rows]}
