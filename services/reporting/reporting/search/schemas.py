"""Wire shapes of the global search (reporting.md §2)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class SearchResultRead(BaseModel):
    """One hit, exactly these fields, as the owning domain answered it (`hits_of` checks a
    domain's answer against this model, strictly)."""

    model_config = ConfigDict(strict=True)

    type: str
    category: str
    id: int
    title: str
    description: str
    url: str
    badge: str


class SearchResultList(BaseModel):
    results: list[SearchResultRead]
    query: str
    count: int
    partial: bool
    errors: dict[str, str]
