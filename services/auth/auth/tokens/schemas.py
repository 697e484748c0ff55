"""Wire shapes of the API token administration (auth.md §5, CONVENTIONS §2.1)."""

from __future__ import annotations

from pydantic import AliasChoices, BaseModel, Field


class ApiTokenCreate(BaseModel):
    """Types only; the spec's presence and catalogue rules are checked by the service."""

    name: str | None = None
    user_id: int | None = None
    scopes: str | list[str] | None = None
    description: str | None = None
    expires_days: int | None = Field(default=None, validation_alias=AliasChoices("expires_days", "expires_in_days"))
    ip_whitelist: str | None = None


class ApiTokenRead(BaseModel):
    id: int
    name: str
    description: str
    token_prefix: str
    scopes: list[str]
    created_at: str
    expires_at: str | None
    last_used_at: str | None
    is_active: bool
    usage_count: int
    user_id: int
    username: str | None = None
    ip_whitelist: str | None = None


class ApiTokenList(BaseModel):
    tokens: list[ApiTokenRead]


class ApiTokenCreated(BaseModel):
    message: str
    token: str
    token_id: int
