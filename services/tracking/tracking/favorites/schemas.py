"""Wire shapes of the favorite projects (tracking.md §8)."""

from __future__ import annotations

from pydantic import BaseModel

from shared.inputs import IntValue


class FavoriteCreate(BaseModel):
    """`project_id` is required by the service, so its message is the spec's."""

    project_id: IntValue = None


class FavoriteRead(BaseModel):
    id: int
    user_id: int
    project_id: int
    created_at: str


class FavoriteList(BaseModel):
    favorites: list[FavoriteRead]


class FavoriteMessageEnvelope(BaseModel):
    message: str
    favorite: FavoriteRead
