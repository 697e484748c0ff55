"""Version endpoint shapes (auth.md §6)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class VersionCheck(BaseModel):
    update_available: bool
    current_version: str
    latest_version: str | None
    release_notes: str | None
    published_at: str | None
    release_url: str | None


class DismissRequest(BaseModel):
    latest_version: Any = None


class DismissResponse(BaseModel):
    ok: bool
