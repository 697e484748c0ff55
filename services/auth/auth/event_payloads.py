"""The payload of every event auth publishes: the producer's side of the event contracts
(`shared.events.contracts`; schemas in `tests/contract/events/`, rewritten by `make contracts`)."""

from __future__ import annotations

from pydantic import BaseModel

from auth import events


class UserEventData(BaseModel):
    """`tt.auth.user.*`: the stored state (raw preferences, no derived presence or totals)."""

    id: int
    username: str
    email: str | None
    full_name: str | None
    display_name: str
    role: str
    is_admin: bool
    created_at: str
    last_login: str | None
    is_active: bool
    avatar_url: str | None
    standard_hours_per_day: float
    overtime_include_weekends: bool
    timezone: str | None
    date_format: str | None
    time_format: str | None
    week_start_day: int
    time_rounding_enabled: bool
    time_rounding_minutes: int
    time_rounding_method: str
    github_username: str | None
    slack_user_id: str | None
    assigned_client_ids: list[int]


class ApiTokenEventData(BaseModel):
    """`tt.auth.api_token.*`: never the token or its hash. `deleted` on a hard delete."""

    token_id: int
    user_id: int
    name: str
    token_prefix: str
    scopes: list[str]
    is_active: bool
    expires_at: str | None
    deleted: bool = False


PAYLOADS = {
    events.USER_CREATED: UserEventData,
    events.USER_UPDATED: UserEventData,
    events.USER_DELETED: UserEventData,
    events.API_TOKEN_CREATED: ApiTokenEventData,
    events.API_TOKEN_REVOKED: ApiTokenEventData,
    events.API_TOKEN_ACTIVATED: ApiTokenEventData,
}
