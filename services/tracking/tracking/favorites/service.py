"""Favorite projects of the calling user (tracking.md §8). Favoriting needs the project to be
in the caller's project scope, like reading it; removing a favorite does not (a project that
left the scope can still be taken off the list)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.errors import NotFoundError, ValidationError
from shared.identity import Identity
from shared.inputs import row_id
from shared.timefmt import iso_utc
from tracking.access import project_in_scope, project_not_found
from tracking.favorites import repository
from tracking.models import FavoriteProject

PROJECT_REQUIRED = "project_id is required"


def serialize_favorite(favorite: FavoriteProject) -> dict[str, Any]:
    return {
        "id": favorite.id,
        "user_id": favorite.user_id,
        "project_id": favorite.project_id,
        "created_at": iso_utc(favorite.created_at),
    }


def list_favorites(session: Session, identity: Identity) -> dict[str, Any]:
    return {"favorites": [serialize_favorite(f) for f in repository.list_for_user(session, identity.user_id)]}


def _insert(session: Session, user_id: int, project_id: int) -> FavoriteProject | None:
    """The new favorite, or None when a concurrent request stored the same pair first."""
    try:
        with session.begin_nested():
            favorite = FavoriteProject(user_id=user_id, project_id=project_id)
            session.add(favorite)
            session.flush()
    except IntegrityError:
        return None
    return favorite


def add_favorite(session: Session, project_id: int | None, *, actor: Identity) -> tuple[bool, dict[str, Any]]:
    """(created, body): created is False when the project already was a favorite."""
    if project_id is None:
        raise ValidationError({"project_id": [PROJECT_REQUIRED]}, PROJECT_REQUIRED)
    if row_id(project_id) != project_id:
        raise project_not_found(project_id)
    project_in_scope(session, project_id, actor)
    existing = repository.find(session, actor.user_id, project_id)
    if existing is None:
        created = _insert(session, actor.user_id, project_id)
        if created is not None:
            return True, {"message": "Project favorited successfully", "favorite": serialize_favorite(created)}
        existing = repository.find(session, actor.user_id, project_id)
    return False, {"message": "Already favorited", "favorite": serialize_favorite(existing)}


def remove_favorite(session: Session, project_id: int, *, actor: Identity) -> dict[str, Any]:
    favorite = repository.find(session, actor.user_id, project_id)
    if favorite is None:
        raise NotFoundError(f"Project with ID {project_id} is not a favorite", error="Favorite not found")
    session.delete(favorite)
    session.flush()
    return {"message": "Favorite removed successfully"}
