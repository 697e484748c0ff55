"""Webhook subscription use cases (integrations.md §1.6), the delivery log, the synchronous
test action and manual redelivery. Non-admins see and manage only their own subscriptions
(403 "Access denied" on others'); admins see all.

The test action and a redelivery make their attempt inside the request: `send` runs it (the
router hands over the process's shared sender). The delivery's row is the request's — created
in its transaction, or locked by it — so no worker sends the same attempt meanwhile; the outcome
goes through the same policy as the worker's (`delivery.policy`)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import psycopg.errors
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from integrations.catalogue import EVENTS, TEST_EVENT
from integrations.delivery import envelope, policy, store
from integrations.delivery.sender import AttemptRequest, Outcome
from integrations.errors import DeliveryInProgressError, EncryptionKeyMissingError, WebhookInactiveError
from integrations.models import DELIVERY_STATUSES, Webhook
from integrations.secrets import SecretBox, new_webhook_secret
from integrations.webhooks import repository, rules
from integrations.webhooks.serializers import serialize_delivery, serialize_webhook
from shared.db import utcnow
from shared.errors import ForbiddenError, NotFoundError
from shared.identity import Identity
from shared.pagination import PageParams, paginate
from shared.query import is_true

Send = Callable[[AttemptRequest], Outcome]


def _visible_owner(identity: Identity) -> int | None:
    return None if identity.is_admin else identity.user_id


def _owned(session: Session, webhook_id: int, identity: Identity, *, lock: bool = False) -> Webhook:
    webhook = repository.get_webhook(session, webhook_id, lock=lock)
    if webhook is None:
        raise NotFoundError(f"Webhook with ID {webhook_id} not found", error="Webhook not found")
    if not identity.is_admin and webhook.user_id != identity.user_id:
        raise ForbiddenError()
    return webhook


def _owner(identity: Identity, requested: int | None) -> int:
    """Admins may give a subscription to any user; others only to themselves."""
    if requested is None:
        return identity.user_id
    if requested != identity.user_id and not identity.is_admin:
        raise ForbiddenError()
    return requested


def list_events() -> dict[str, Any]:
    return {"events": list(EVENTS)}


def list_webhooks(session: Session, identity: Identity, page: PageParams, *, is_active: str | None) -> dict[str, Any]:
    stmt = repository.list_statement(
        user_id=_visible_owner(identity), is_active=None if is_active is None else is_true(is_active)
    )
    webhooks, pagination = paginate(session, stmt, page)
    return {"webhooks": [serialize_webhook(w) for w in webhooks], "pagination": pagination}


def get_webhook(session: Session, webhook_id: int, identity: Identity) -> dict[str, Any]:
    return {"webhook": serialize_webhook(_owned(session, webhook_id, identity))}


def create_webhook(
    session: Session, raw: dict[str, Any], *, actor: Identity, box: SecretBox, allow_private: bool
) -> dict[str, Any]:
    fields = rules.clean_fields(raw, creating=True, allow_private=allow_private)
    owner = _owner(actor, fields.pop("user_id", None))
    secret = None
    if fields.pop("generate_secret", True):
        if not box.configured:
            raise EncryptionKeyMissingError()
        secret = new_webhook_secret()
    webhook = Webhook(**fields, user_id=owner, secret=box.seal(secret) if secret else None)
    session.add(webhook)
    session.flush()
    return {"message": "Webhook created successfully", "webhook": serialize_webhook(webhook, secret=secret)}


def update_webhook(
    session: Session, webhook_id: int, raw: dict[str, Any], *, actor: Identity, box: SecretBox, allow_private: bool
) -> dict[str, Any]:
    webhook = _owned(session, webhook_id, actor, lock=True)
    fields = rules.clean_fields(raw, creating=False, allow_private=allow_private)
    if "user_id" in fields:
        fields["user_id"] = _owner(actor, fields["user_id"])
    secret = None
    if fields.pop("generate_secret", False):
        if not box.configured:
            raise EncryptionKeyMissingError()
        secret = new_webhook_secret()
    for key, value in fields.items():
        setattr(webhook, key, value)
    # a save re-encrypts a legacy or older-key secret under the current key (§2.3)
    webhook.secret = box.seal(secret) if secret else box.reseal(webhook.secret)
    webhook.updated_at = utcnow()
    session.flush()
    return {"message": "Webhook updated successfully", "webhook": serialize_webhook(webhook, secret=secret)}


def delete_webhook(session: Session, webhook_id: int, *, actor: Identity) -> dict[str, Any]:
    webhook = _owned(session, webhook_id, actor)
    repository.lock_deliveries(session, webhook_id)
    session.delete(webhook)
    session.flush()
    return {"message": "Webhook deleted successfully"}


def list_deliveries(
    session: Session, webhook_id: int, identity: Identity, page: PageParams, *, status: str | None
) -> dict[str, Any]:
    _owned(session, webhook_id, identity)
    wanted = status if status in DELIVERY_STATUSES else None  # an unknown status filters nothing (§5.4)
    deliveries, pagination = paginate(session, repository.deliveries_statement(webhook_id, status=wanted), page)
    return {"deliveries": [serialize_delivery(d) for d in deliveries], "pagination": pagination}


def _attempt_now(session: Session, delivery, webhook: Webhook, *, box: SecretBox, send: Send) -> Outcome:
    outcome = send(store.attempt_request(delivery, webhook, box))
    locked = repository.lock_webhook(session, webhook.id)
    policy.record_outcome(delivery, locked, outcome)
    session.flush()
    return outcome


def send_test_webhook(
    session: Session, webhook_id: int, *, actor: Identity, box: SecretBox, send: Send
) -> dict[str, Any]:
    """§1.6: `webhook.test`, whatever the subscription's `events`; refused when inactive."""
    webhook = _owned(session, webhook_id, actor)
    if not webhook.is_active:
        raise WebhookInactiveError("Cannot test an inactive webhook")
    now = utcnow()
    body, digest = envelope.serialize(envelope.ping_envelope(user_id=actor.user_id, username=actor.username, at=now))
    delivery = store.new_delivery(
        session, webhook, event_type=TEST_EVENT, event_id=str(uuid.uuid4()), body=body, digest=digest, now=now
    )
    outcome = _attempt_now(session, delivery, webhook, box=box, send=send)
    message = "Test webhook sent successfully" if outcome.succeeded else f"Test webhook failed: {outcome.error_message}"
    return {"success": outcome.succeeded, "delivery": serialize_delivery(delivery), "message": message}


def redeliver(
    session: Session, webhook_id: int, delivery_id: int, *, actor: Identity, box: SecretBox, send: Send
) -> dict[str, Any]:
    """Platform extension: the stored bytes sent again now, as a new attempt of the delivery."""
    webhook = _owned(session, webhook_id, actor)
    if not webhook.is_active:
        raise WebhookInactiveError("Cannot redeliver to an inactive webhook")
    try:
        delivery = repository.lock_delivery(session, webhook_id, delivery_id)
    except OperationalError as exc:
        if isinstance(exc.orig, psycopg.errors.LockNotAvailable):
            raise DeliveryInProgressError() from None
        raise
    if delivery is None:
        raise NotFoundError(f"Delivery with ID {delivery_id} not found", error="Delivery not found")
    if delivery.claimed_until is not None and delivery.claimed_until > utcnow():
        raise DeliveryInProgressError()
    outcome = _attempt_now(session, delivery, webhook, box=box, send=send)
    message = "Delivery resent successfully" if outcome.succeeded else f"Redelivery failed: {outcome.error_message}"
    return {"success": outcome.succeeded, "delivery": serialize_delivery(delivery), "message": message}
