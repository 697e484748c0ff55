"""`/internal/*`: called by platform processes only (identity with `service`), hidden from
OpenAPI: the gateway's introspection and usage, the connectors' user lookup."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from auth.deps import SettingsDep
from auth.internal import service
from auth.internal.schemas import (
    FoundUser,
    IntrospectRequest,
    IntrospectResponse,
    ModulesResponse,
    TokenUsageBatch,
    TokenUsageResult,
)
from auth.routing import feature_router
from shared.db import SessionDep
from shared.identity import Identity, internal

router = feature_router("/internal", tags=["internal"], include_in_schema=False)
Platform = Annotated[Identity, internal()]


@router.post("/introspect", response_model=IntrospectResponse, response_model_exclude_unset=True)
def introspect_token(body: IntrospectRequest, session: SessionDep, settings: SettingsDep, identity: Platform) -> dict:
    """Token and owner by token hash, for the gateway's authentication stage."""
    return service.introspect(session, body.token_hash, settings=settings)


@router.post("/token-usage", response_model=TokenUsageResult)
def record_token_usage(body: TokenUsageBatch, session: SessionDep, identity: Platform) -> dict:
    """Batched last-used tracking (CONVENTIONS §2.4 write-behind)."""
    return service.record_usage(session, body.usage)


@router.get("/modules", response_model=ModulesResponse)
def get_enabled_modules(settings: SettingsDep, identity: Platform) -> dict:
    """Modules enabled globally (no user context), for `/api/v1/info`."""
    return service.global_modules(settings)


@router.get("/users/find", response_model=FoundUser)
def find_user(
    session: SessionDep,
    settings: SettingsDep,
    identity: Platform,
    user_id: Annotated[int | None, Query()] = None,
    github_username: Annotated[str | None, Query(max_length=100)] = None,
    admin: Annotated[bool, Query()] = False,
) -> dict:
    """One user by exactly one of `user_id`, `github_username` (active users) or `admin=true`
    (the first active admin), for the connectors; `{"user": null}` when none matches."""
    return service.find_user(session, user_id=user_id, github_username=github_username, admin=admin, settings=settings)
