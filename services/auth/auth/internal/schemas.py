"""Internal contracts with the gateway (not in the public OpenAPI)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class IntrospectRequest(BaseModel):
    token_hash: str = Field(description="lower-case hex SHA-256 of the full plain token")


class IntrospectedToken(BaseModel):
    id: int
    user_id: int
    scopes: list[str]
    is_active: bool
    expires_at: str | None
    ip_whitelist: str | None


class IntrospectedUser(BaseModel):
    id: int
    username: str
    is_admin: bool
    is_active: bool
    role: str
    assigned_client_ids: list[int]
    # Module ids switched off for this user; the gateway forwards them in the identity.
    modules_off: list[str]


class IntrospectResponse(BaseModel):
    found: bool
    token: IntrospectedToken | None = None
    user: IntrospectedUser | None = None


class TokenUsage(BaseModel):
    token_id: int
    count: int = Field(default=1, ge=0)
    last_used_at: datetime


class TokenUsageBatch(BaseModel):
    usage: list[TokenUsage] = Field(default_factory=list)


class TokenUsageResult(BaseModel):
    updated: int


class ModulesResponse(BaseModel):
    enabled_modules: list[str]


class ConnectorUser(IntrospectedUser):
    full_name: str | None
    email: str | None
    timezone: str | None
    github_username: str | None
    slack_user_id: str | None


class FoundUser(BaseModel):
    user: ConnectorUser | None
