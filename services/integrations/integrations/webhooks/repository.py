"""Webhook and delivery queries: the filtered lists and row lookups."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from integrations.models import Webhook, WebhookDelivery


def list_statement(*, user_id: int | None, is_active: bool | None) -> Select:
    """Newest first; `user_id` None = every owner (admins)."""
    stmt = select(Webhook)
    if user_id is not None:
        stmt = stmt.where(Webhook.user_id == user_id)
    if is_active is not None:
        stmt = stmt.where(Webhook.is_active.is_(is_active))
    return stmt.order_by(Webhook.created_at.desc(), Webhook.id.desc())


def deliveries_statement(webhook_id: int, *, status: str | None) -> Select:
    """Newest `started_at` first."""
    stmt = select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook_id)
    if status is not None:
        stmt = stmt.where(WebhookDelivery.status == status)
    return stmt.order_by(WebhookDelivery.started_at.desc(), WebhookDelivery.id.desc())


def get_webhook(session: Session, webhook_id: int, *, lock: bool = False) -> Webhook | None:
    return session.get(Webhook, webhook_id, with_for_update={"key_share": True} if lock else None)


def lock_webhook(session: Session, webhook_id: int) -> Webhook | None:
    """The row again, locked for an update of its counters, and re-read."""
    return session.get(Webhook, webhook_id, with_for_update={"key_share": True}, populate_existing=True)


def lock_delivery(session: Session, webhook_id: int, delivery_id: int) -> WebhookDelivery | None:
    """The delivery, locked without waiting (raises when a worker is claiming it right now)."""
    return session.scalars(
        select(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.webhook_id == webhook_id)
        .with_for_update(nowait=True)
    ).first()


def lock_deliveries(session: Session, webhook_id: int) -> None:
    """Every delivery of the subscription, before it is deleted (lock order: deliveries, then
    the subscription — as the worker takes them)."""
    session.execute(select(WebhookDelivery.id).where(WebhookDelivery.webhook_id == webhook_id).with_for_update())
