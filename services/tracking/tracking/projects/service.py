"""Project use cases: scoped list and get, create, partial update, archive (tracking.md §2)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.db import utcnow
from shared.errors import ValidationError
from shared.identity import Identity
from shared.inputs import int_or_none
from shared.pagination import PageParams, paginate
from tracking import events, replicas
from tracking.access import project_in_scope, project_scope
from tracking.errors import DuplicateCodeError, DuplicateProjectError, InvalidClientError
from tracking.models import Project
from tracking.projects import repository
from tracking.projects.schemas import ProjectCreate, ProjectFields, ProjectUpdate
from tracking.projects.serializers import event_data, serialize_one, serialize_projects

NAME_REQUIRED = "Project name is required"
CLIENT_REQUIRED = "client_id is required"
ARCHIVE_REASON = "Archived via API"
DEFAULT_STATUS = "active"
# Columns that cannot hold null: a null in the body leaves them unchanged (or at their default).
NOT_NULLABLE = frozenset({"billable", "status", "budget_threshold_percent"})


def list_projects(
    session: Session, identity: Identity, page: PageParams, *, status: str | None, client_id: str | None
) -> dict[str, Any]:
    """`status` absent (or blank) = active only, `all` = any status; an unparseable `client_id`
    is ignored (CONVENTIONS §5.4)."""
    wanted = None if status == "all" else (status or DEFAULT_STATUS)
    stmt = repository.list_statement(scope=project_scope(identity), status=wanted, client_id=int_or_none(client_id))
    projects, pagination = paginate(session, stmt, page)
    return {"projects": serialize_projects(session, projects), "pagination": pagination}


def get_project(session: Session, project_id: int, identity: Identity) -> dict[str, Any]:
    return {"project": serialize_one(session, project_in_scope(session, project_id, identity))}


def _require(body: ProjectFields, fields: set[str], *, creating: bool) -> None:
    """`name` and `client_id` are required on create and cannot be blanked by an update."""
    errors: dict[str, list[str]] = {}
    if (creating or "name" in fields) and not body.name:
        errors["name"] = [NAME_REQUIRED]
    if (creating or "client_id" in fields) and body.client_id is None:
        errors["client_id"] = [CLIENT_REQUIRED]
    if errors:
        message = next(iter(errors.values()))[0] if len(errors) == 1 else "Validation failed"
        raise ValidationError(errors, message)


def _check_client(session: Session, client_id: int) -> None:
    if replicas.valid_client(session, client_id) is None:
        raise InvalidClientError()


def _check_unique(
    session: Session, *, code: str | None, client_id: int, name: str, exclude_id: int | None = None
) -> None:
    if code is not None and repository.find_by_code(session, code, exclude_id=exclude_id) is not None:
        raise DuplicateCodeError()
    if repository.find_by_client_and_name(session, client_id, name, exclude_id=exclude_id) is not None:
        raise DuplicateProjectError()


def _apply(project: Project, body: ProjectFields, fields: set[str]) -> None:
    for field in fields:
        value = getattr(body, field)
        if value is None and field in NOT_NULLABLE:
            continue
        setattr(project, field, value)


def _flush_unique(session: Session) -> None:
    """A concurrent write that wins the unique index gets the same answer as the checks."""
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        constraint = getattr(getattr(exc.orig, "diag", None), "constraint_name", None)
        if constraint == "uq_projects_code":
            raise DuplicateCodeError() from exc
        if constraint == "uq_projects_client_name":
            raise DuplicateProjectError() from exc
        raise


def create_project(session: Session, body: ProjectCreate, *, actor: Identity) -> dict[str, Any]:
    fields = body.model_fields_set
    _require(body, fields, creating=True)
    _check_client(session, body.client_id)
    _check_unique(session, code=body.code, client_id=body.client_id, name=body.name)
    # created_by puts the project into a standard user's scope (CONVENTIONS §4).
    project = Project(created_by=actor.user_id, custom_fields={})
    _apply(project, body, fields)
    session.add(project)
    _flush_unique(session)
    out = serialize_one(session, project)
    events.emit(session, "project", "created", entity_id=project.id, data=event_data(project, out), actor=actor)
    return {"message": "Project created successfully", "project": out}


def update_project(session: Session, project_id: int, body: ProjectUpdate, *, actor: Identity) -> dict[str, Any]:
    """Partial; archiving through here leaves the `archived_*` fields alone (DELETE fills them)."""
    project = project_in_scope(session, project_id, actor, lock=True)
    fields = body.model_fields_set
    _require(body, fields, creating=False)
    client_id = body.client_id if "client_id" in fields else project.client_id
    if client_id != project.client_id:
        _check_client(session, client_id)
    # Checked before any attribute changes, so these queries do not autoflush a half-applied row.
    _check_unique(
        session,
        code=body.code if "code" in fields else None,
        client_id=client_id,
        name=body.name if "name" in fields else project.name,
        exclude_id=project.id,
    )
    was_archived = project.status == "archived"
    _apply(project, body, fields)
    _flush_unique(session)
    out = serialize_one(session, project)
    data = event_data(project, out)
    events.emit(session, "project", "updated", entity_id=project.id, data=data, actor=actor)
    if was_archived and project.status == "active":
        events.emit(session, "project", "unarchived", entity_id=project.id, data=data, actor=actor)
    return {"message": "Project updated successfully", "project": out}


def archive_project(session: Session, project_id: int, *, actor: Identity) -> dict[str, Any]:
    """Never deletes; repeating it re-stamps `archived_at`."""
    project = project_in_scope(session, project_id, actor, lock=True)
    project.status = "archived"
    project.archived_at = utcnow()
    project.archived_by = actor.user_id
    project.archived_reason = ARCHIVE_REASON
    session.flush()
    data = event_data(project, serialize_one(session, project))
    events.emit(session, "project", "archived", entity_id=project.id, data=data, actor=actor)
    events.emit(session, "project", "updated", entity_id=project.id, data=data, actor=actor)
    return {"message": "Project archived successfully"}
