"""The payload of every event auth publishes: the producer's side of the event contracts
(`shared.events.contracts`; schemas in `tests/contract/events/`, rewritten by `make contracts`)."""

from __future__ import annotations

from pydantic import BaseModel

from auth import events
from auth.users.schemas import UserPreferences, UserStored


class UserEventData(UserPreferences, UserStored):
    """`tt.auth.user.*`: the stored state (raw format preferences, no derived presence or totals)."""

    timezone: str | None
    date_format: str | None
    time_format: str | None


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
