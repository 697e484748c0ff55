"""The integrations service's tables: webhook subscriptions and their delivery records, the
connectors' per-user records with their OAuth states and the provider deliveries already handled,
the user replica (the envelope's acting user), and the shared outbox and processed_events tables.
Instants are UTC `timestamptz`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import TZDateTime, created_at_column, make_base, new_metadata, updated_at_column, utcnow
from shared.events.outbox import outbox_table, processed_events_table

metadata = new_metadata()
Base = make_base(metadata)
outbox = outbox_table(metadata)
processed_events = processed_events_table(metadata)

DELIVERY_STATUSES = ("pending", "success", "retrying", "failed")


class Webhook(Base):
    """A subscription (integrations.md §1.1). `secret` is the stored form (`enc:v1:…`)."""

    __tablename__ = "webhooks"
    __table_args__ = (
        CheckConstraint("http_method IN ('POST', 'PUT', 'PATCH')", name="http_method_valid"),
        CheckConstraint("max_retries >= 0", name="max_retries_valid"),
        CheckConstraint("retry_delay_seconds >= 1", name="retry_delay_valid"),
        CheckConstraint("timeout_seconds BETWEEN 1 AND 300", name="timeout_valid"),
        Index("ix_webhooks_events", "events", postgresql_using="gin"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str] = mapped_column(String(500), nullable=False)
    events: Mapped[list[str]] = mapped_column(JSONB, nullable=False)
    http_method: Mapped[str] = mapped_column(String(10), nullable=False, default="POST", server_default="POST")
    content_type: Mapped[str] = mapped_column(
        String(200), nullable=False, default="application/json", server_default="application/json"
    )
    headers: Mapped[dict[str, str]] = mapped_column(
        JSONB, nullable=False, default=dict, server_default=text("'{}'::jsonb")
    )
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, server_default="true")
    user_id: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    secret: Mapped[str | None] = mapped_column(Text)
    max_retries: Mapped[int] = mapped_column(Integer, nullable=False, default=3, server_default="3")
    retry_delay_seconds: Mapped[int] = mapped_column(Integer, nullable=False, default=60, server_default="60")
    timeout_seconds: Mapped[int] = mapped_column(Integer, nullable=False, default=30, server_default="30")
    total_deliveries: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    successful_deliveries: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    failed_deliveries: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    last_delivery_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    last_success_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    last_failure_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class WebhookDelivery(Base):
    """One (event, subscription) delivery (§1.5) and its latest attempt.

    Not serialized: the body bytes sent on every attempt and their SHA-256, the latest response,
    `message_id` (Standard Webhooks `webhook-id`, the same on every attempt), `attempts_made`,
    and the worker's bookkeeping — `due_at` (when the next attempt may start; null once final)
    and the lease (`claimed_until`, `claim_token`) a worker holds while its attempt is in flight."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        CheckConstraint(f"status IN {DELIVERY_STATUSES}", name="status_valid"),
        # A redelivered event creates nothing new.
        UniqueConstraint("event_id", "webhook_id", name="uq_webhook_deliveries_event_webhook"),
        Index("ix_webhook_deliveries_webhook_started", "webhook_id", "started_at"),
        Index("ix_webhook_deliveries_due", "due_at", postgresql_where=text("due_at IS NOT NULL")),
        Index("ix_webhook_deliveries_leased", "claimed_until", postgresql_where=text("claimed_until IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"), nullable=False)
    event_type: Mapped[str] = mapped_column(String(100), nullable=False)
    event_id: Mapped[str] = mapped_column(String(64), nullable=False)
    message_id: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="pending", server_default="pending")
    attempt_number: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")
    attempts_made: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    response_status_code: Mapped[int | None] = mapped_column(Integer)
    error_message: Mapped[str | None] = mapped_column(Text)
    error_type: Mapped[str | None] = mapped_column(String(30))
    started_at: Mapped[datetime] = mapped_column(TZDateTime(), nullable=False, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    retry_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    next_retry_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    payload: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    payload_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    response_body: Mapped[str | None] = mapped_column(Text)
    response_headers: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    due_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    claimed_until: Mapped[datetime | None] = mapped_column(TZDateTime())
    claim_token: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = created_at_column()


class KnownUser(Base):
    """Replica of auth's users (`tt.auth.user.*`): the acting user of a webhook envelope, and
    whether a webhook owner may receive other users' events."""

    __tablename__ = "known_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    username: Mapped[str] = mapped_column(String(200), nullable=False)
    display_name: Mapped[str | None] = mapped_column(String(200))
    # an admin's webhooks receive every user's events; anyone else's only their own
    is_admin: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("false"))
    event_at: Mapped[datetime] = mapped_column(TZDateTime(), nullable=False)


PROVIDERS = ("github_connector", "slack_connector", "google_calendar_connector")
SYNC_STATUSES = ("success", "partial")


class Integration(Base):
    """One connector of one user (integrations.md §2.1). `config` holds every setting; its secret
    keys hold the stored form (`enc:v1:…`) only."""

    __tablename__ = "integrations"
    __table_args__ = (
        CheckConstraint(f"provider IN {PROVIDERS}", name="provider_valid"),
        CheckConstraint(f"last_sync_status IS NULL OR last_sync_status IN {SYNC_STATUSES}", name="sync_status_valid"),
        UniqueConstraint("provider", "user_id", name="uq_integrations_provider_user"),
        Index("ix_integrations_active", "provider", postgresql_where=text("is_active")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider: Mapped[str] = mapped_column(String(50), nullable=False)
    user_id: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default="false")
    config: Mapped[dict[str, Any]] = mapped_column(
        JSONB, nullable=False, default=dict, server_default=text("'{}'::jsonb")
    )
    last_sync_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    last_sync_status: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class OAuthState(Base):
    """A pending OAuth authorization (§5.2): the `state` (stored as its SHA-256) bound to the user
    who started it, with the PKCE verifier (sealed); single-use, expires."""

    __tablename__ = "oauth_states"

    state_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    provider: Mapped[str] = mapped_column(String(50), nullable=False)
    user_id: Mapped[int] = mapped_column(Integer, nullable=False)
    code_verifier: Mapped[str] = mapped_column(Text, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(TZDateTime(), nullable=False, index=True)
    created_at: Mapped[datetime] = created_at_column()


class InboundDelivery(Base):
    """A provider delivery already handled (GitHub's `X-GitHub-Delivery`): a replay changes
    nothing."""

    __tablename__ = "inbound_deliveries"

    provider: Mapped[str] = mapped_column(String(50), primary_key=True)
    delivery_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    integration_id: Mapped[int] = mapped_column(ForeignKey("integrations.id", ondelete="CASCADE"), nullable=False)
    response: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    received_at: Mapped[datetime] = created_at_column()
