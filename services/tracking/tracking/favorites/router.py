"""`/api/v1/users/me/favorites/projects`: the caller's favorite projects (tracking.md §8),
used by the browser extension."""

from __future__ import annotations

from typing import Annotated

from fastapi import Response, status

from shared.db import SessionDep
from shared.identity import Identity, requires
from tracking.favorites import service
from tracking.favorites.schemas import FavoriteCreate, FavoriteList, FavoriteMessageEnvelope
from tracking.routing import feature_router
from tracking.schemas import MessageResponse

router = feature_router("/api/v1/users/me/favorites/projects", tags=["favorites"])
ReadScope = Annotated[Identity, requires("read:projects")]
WriteScope = Annotated[Identity, requires("write:projects")]


@router.get("", response_model=FavoriteList)
def list_favorites(session: SessionDep, identity: ReadScope) -> dict:
    """The caller's favorite projects, oldest first (not paginated)."""
    return service.list_favorites(session, identity)


@router.post("", response_model=FavoriteMessageEnvelope, status_code=status.HTTP_201_CREATED)
def add_favorite(body: FavoriteCreate, response: Response, session: SessionDep, identity: WriteScope) -> dict:
    """Favorite a project in the caller's scope: 201 when new, 200 when it already was one."""
    created, out = service.add_favorite(session, body.project_id, actor=identity)
    if not created:
        response.status_code = status.HTTP_200_OK
    return out


@router.delete("/{project_id:id}", response_model=MessageResponse)
def remove_favorite(project_id: int, session: SessionDep, identity: WriteScope) -> dict:
    """Take a project off the caller's favorites; 404 when it is not one."""
    return service.remove_favorite(session, project_id, actor=identity)
