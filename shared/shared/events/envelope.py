"""The event envelope every service publishes (docs/architecture.md, "Events")."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.db import utcnow


class EventEnvelope(BaseModel):
    """`type` is the subject: `tt.<service>.<entity>.<past_tense>`; `data` the entity's new state."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    type: str
    occurred_at: datetime = Field(default_factory=utcnow)
    source: str
    entity_id: str | None = None
    actor: dict[str, Any] | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    version: int = 1

    def to_json(self) -> bytes:
        return self.model_dump_json().encode()

    @classmethod
    def from_json(cls, raw: bytes) -> EventEnvelope:
        return cls.model_validate_json(raw)


class MalformedEvent(ValueError):
    """An event whose data lacks what its subject promises: applying it again cannot succeed."""


def required(data: dict[str, Any], *keys: str) -> None:
    """Raise `MalformedEvent` unless `data` has every key with a value (before any write)."""
    missing = [key for key in keys if data.get(key) is None]
    if missing:
        raise MalformedEvent(f"event data lacks {', '.join(missing)}")
