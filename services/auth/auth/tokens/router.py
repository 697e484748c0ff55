"""API token administration (auth.md §5): `/api/v1/admin/api-tokens` and the legacy
`/admin/api-tokens` aliases, served by the same handlers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response, status

from auth.routing import feature_router
from auth.schemas import MessageResponse
from auth.tokens import service
from auth.tokens.schemas import ApiTokenCreate, ApiTokenCreated, ApiTokenList
from shared.db import SessionDep
from shared.identity import CREDENTIALS_CHANGED_HEADER, Identity, requires

AdminScope = Annotated[Identity, requires("admin:all")]


def list_api_tokens(session: SessionDep, identity: AdminScope) -> dict:
    """All API tokens, newest first, with the owner's username (never the token or its hash)."""
    return service.list_api_tokens(session, actor=identity)


def create_api_token(body: ApiTokenCreate, session: SessionDep, identity: AdminScope) -> dict:
    """Create a token for a user; the plain token appears only in this response."""
    return service.create_api_token(session, body, actor=identity)


def toggle_api_token(token_id: int, session: SessionDep, identity: AdminScope, response: Response) -> dict:
    """Activate or deactivate a token."""
    answer = service.toggle_api_token(session, token_id, actor=identity)
    response.headers[CREDENTIALS_CHANGED_HEADER] = f"token={token_id}"
    return answer


def delete_api_token(token_id: int, session: SessionDep, identity: AdminScope, response: Response) -> dict:
    """Revoke (hard-delete) a token."""
    answer = service.delete_api_token(session, token_id, actor=identity)
    response.headers[CREDENTIALS_CHANGED_HEADER] = f"token={token_id}"
    return answer


def build_router(prefix: str, *, legacy: bool = False) -> APIRouter:
    router = feature_router(prefix, tags=["api-tokens"], suffix="_legacy" if legacy else "")
    router.add_api_route("", list_api_tokens, methods=["GET"], response_model=ApiTokenList)
    router.add_api_route(
        "", create_api_token, methods=["POST"], response_model=ApiTokenCreated, status_code=status.HTTP_201_CREATED
    )
    router.add_api_route("/{token_id:id}/toggle", toggle_api_token, methods=["POST"], response_model=MessageResponse)
    router.add_api_route("/{token_id:id}", delete_api_token, methods=["DELETE"], response_model=MessageResponse)
    return router


router = build_router("/api/v1/admin/api-tokens")
legacy_router = build_router("/admin/api-tokens", legacy=True)
