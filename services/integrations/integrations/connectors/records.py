"""Connector records (integrations.md §2.1): one row per (provider, user), created inactive on the
first config save or OAuth start. Secret config keys hold their stored form only (§2.3): they go
in through `put_secret` and come out through `secret`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from integrations.models import Integration
from integrations.secrets import SecretBox

GITHUB = "github_connector"
SLACK = "slack_connector"
GOOGLE = "google_calendar_connector"
NAMES = {GITHUB: "GitHub", SLACK: "Slack", GOOGLE: "Google Calendar"}
SECRET_KEYS = {
    GITHUB: ("github_token", "webhook_secret"),
    SLACK: ("bot_token", "signing_secret"),
    GOOGLE: ("access_token", "refresh_token"),
}


def find(session: Session, provider: str, user_id: int, *, lock: bool = False) -> Integration | None:
    query = select(Integration).where(Integration.provider == provider, Integration.user_id == user_id)
    if lock:
        query = query.with_for_update()
    return session.scalars(query).first()


def find_or_create(session: Session, provider: str, user_id: int) -> Integration:
    """The user's row, locked for this transaction; a new one is inactive with an empty config.
    Two first saves at once make one row."""
    session.execute(
        insert(Integration)
        .values(provider=provider, user_id=user_id, name=NAMES[provider], is_active=False, config={})
        .on_conflict_do_nothing(constraint="uq_integrations_provider_user")
    )
    row = find(session, provider, user_id, lock=True)
    assert row is not None  # inserted or already there, and rows are never deleted meanwhile
    return row


def active(session: Session, provider: str) -> list[Integration]:
    """Every active row of the provider, oldest first (the receivers' matching order)."""
    query = select(Integration).where(Integration.provider == provider, Integration.is_active).order_by(Integration.id)
    return list(session.scalars(query))


def due_for_job(session: Session, provider: str, *, limit: int = 50) -> list[Integration]:
    """Active rows no other replica's job holds right now, locked until this transaction ends."""
    query = (
        select(Integration)
        .where(Integration.provider == provider, Integration.is_active)
        .order_by(Integration.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(session.scalars(query))


def config_of(row: Integration | None) -> dict[str, Any]:
    """A copy of the row's config to change and `save_config` back (JSONB changes only count
    when the attribute is assigned)."""
    return dict(row.config or {}) if row is not None else {}


def save_config(row: Integration, config: dict[str, Any], box: SecretBox) -> None:
    """Store `config`; legacy plain-text secrets and older keys' tokens are re-encrypted (§2.3)."""
    for key in SECRET_KEYS[row.provider]:
        if config.get(key):
            config[key] = box.reseal(config[key])
    row.config = config


def put_secret(config: dict[str, Any], key: str, plain: str, box: SecretBox) -> None:
    config[key] = box.seal(plain)


def secret(row: Integration | None, key: str, box: SecretBox) -> str | None:
    """The plain secret, or None when unset."""
    if row is None:
        return None
    value = (row.config or {}).get(key)
    return box.open(value) if value else None


def has(row: Integration | None, key: str) -> bool:
    return bool(row is not None and (row.config or {}).get(key))
