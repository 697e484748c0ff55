"""Event subjects the auth service publishes (`tt.auth.<entity>.<past_tense>`) and how they are
written: always through the outbox, in the caller's transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from shared.events import record
from shared.identity import Identity

SOURCE = "auth"

USER_CREATED = "tt.auth.user.created"
USER_UPDATED = "tt.auth.user.updated"
USER_DELETED = "tt.auth.user.deleted"
API_TOKEN_CREATED = "tt.auth.api_token.created"
API_TOKEN_REVOKED = "tt.auth.api_token.revoked"
API_TOKEN_ACTIVATED = "tt.auth.api_token.activated"


def emit(session: Session, type: str, *, entity_id: int, data: dict[str, Any], actor: Identity | None) -> None:
    record(session, source=SOURCE, type=type, entity_id=entity_id, data=data, actor=actor)
