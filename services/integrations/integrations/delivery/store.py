"""Delivery rows: created per (event, matching subscription), claimed by a worker under a lease,
finished with the attempt's outcome. `select` statements and row changes; no commit (the caller
owns the transaction), no HTTP.

Lock order everywhere: delivery rows, then their subscription (`FOR NO KEY UPDATE`, which leaves
inserts of new deliveries — their foreign-key check — unblocked)."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.dialects.postgresql import array, insert
from sqlalchemy.orm import Session

from integrations.catalogue import WILDCARD
from integrations.delivery import policy
from integrations.delivery.sender import AttemptRequest, Outcome
from integrations.models import KnownUser, Webhook, WebhookDelivery
from integrations.secrets import SecretBox, SecretUnreadableError

log = logging.getLogger(__name__)


def new_message_id() -> str:
    """Standard Webhooks `webhook-id`: stable for the delivery, the same on every attempt."""
    return f"msg_{uuid.uuid4().hex}"


@dataclass(frozen=True)
class Subscription:
    """What deciding an event's deliveries needs of an active subscription."""

    id: int
    events: frozenset[str]
    created_at: datetime
    owner_id: int
    owner_is_admin: bool

    def receives(self, event_type: str, occurred_at: datetime, actor_id: int | None) -> bool:
        """Its `events` hold the name or `*`, it existed when the event happened, and the event
        is its owner's to see: an admin's subscription receives every user's events, anyone
        else's only those they caused (CONVENTIONS §4: non-admins see only their own data)."""
        if not (event_type in self.events or WILDCARD in self.events) or self.created_at > occurred_at:
            return False
        return self.owner_is_admin or (actor_id is not None and int(actor_id) == self.owner_id)


def active_subscriptions(session: Session, event_types: set[str]) -> list[Subscription]:
    """The active subscriptions to any of `event_types` (or `*`), by id: one query decides a
    whole batch of events. An owner the user replica does not know yet counts as no admin."""
    rows = session.execute(
        select(
            Webhook.id, Webhook.events, Webhook.created_at, Webhook.user_id, func.coalesce(KnownUser.is_admin, False)
        )
        .outerjoin(KnownUser, KnownUser.id == Webhook.user_id)
        .where(
            Webhook.is_active.is_(True),
            or_(Webhook.events.has_any(array(sorted(event_types))), Webhook.events.contains([WILDCARD])),
        )
        .order_by(Webhook.id)
    ).all()
    return [Subscription(id, frozenset(events), created, owner, admin) for id, events, created, owner, admin in rows]


def create_deliveries(
    session: Session,
    webhook_ids: list[int],
    *,
    event_type: str,
    event_id: str,
    body: bytes,
    digest: str,
    now: datetime,
) -> int:
    """One pending delivery per subscription; a redelivered event creates nothing new. Returns
    how many were created."""
    rows = [
        {
            "webhook_id": webhook_id,
            "event_type": event_type,
            "event_id": event_id,
            "message_id": new_message_id(),
            "payload": body,
            "payload_hash": digest,
            "started_at": now,
            "due_at": now,
            "created_at": now,
        }
        for webhook_id in webhook_ids
    ]
    if not rows:
        return 0
    stmt = insert(WebhookDelivery).values(rows).on_conflict_do_nothing(constraint="uq_webhook_deliveries_event_webhook")
    return len(session.execute(stmt.returning(WebhookDelivery.id)).all())


def new_delivery(
    session: Session, webhook: Webhook, *, event_type: str, event_id: str, body: bytes, digest: str, now: datetime
) -> WebhookDelivery:
    """A delivery attempted at once inside the caller's transaction (the test action): nobody
    else sees it before that transaction commits its outcome."""
    delivery = WebhookDelivery(
        webhook_id=webhook.id,
        event_type=event_type,
        event_id=event_id,
        message_id=new_message_id(),
        payload=body,
        payload_hash=digest,
        started_at=now,
        created_at=now,
    )
    session.add(delivery)
    session.flush()
    return delivery


def attempt_request(
    delivery: WebhookDelivery, webhook: Webhook, box: SecretBox, *, claim_token: str | None = None
) -> AttemptRequest:
    """The attempt as the subscription stands now (its URL, headers and secret may have changed
    since the event); the body is the stored bytes."""
    secret, secret_error = None, None
    try:
        secret = box.open(webhook.secret)
    except SecretUnreadableError as exc:
        secret_error = f"webhook secret cannot be read ({exc})"
        log.error("webhook %s: its stored secret cannot be read (%s)", webhook.id, type(exc).__name__)
    return AttemptRequest(
        delivery_id=delivery.id,
        webhook_id=webhook.id,
        event_type=delivery.event_type,
        message_id=delivery.message_id,
        method=webhook.http_method,
        url=webhook.url,
        content_type=webhook.content_type,
        custom_headers=dict(webhook.headers or {}),
        timeout_seconds=webhook.timeout_seconds,
        body=delivery.payload,
        secret=secret,
        secret_error=secret_error,
        claim_token=claim_token,
    )


def claim_due(
    session: Session, *, now: datetime, limit: int, lease_margin: float, box: SecretBox
) -> list[AttemptRequest]:
    """Lease up to `limit` due deliveries nobody holds (a lease that expired counts as free):
    rows another worker is claiming right now are skipped, not waited for. The caller commits
    before it sends, so the lease is visible to every replica. A delivery whose subscription
    was deactivated meanwhile becomes final (`webhook_inactive`) instead."""
    due = session.scalars(
        select(WebhookDelivery)
        .where(
            WebhookDelivery.due_at <= now,
            or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until < now),
        )
        .order_by(WebhookDelivery.due_at, WebhookDelivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    if not due:
        return []
    webhooks = {w.id: w for w in session.scalars(select(Webhook).where(Webhook.id.in_({d.webhook_id for d in due})))}
    claims = []
    for delivery in due:
        webhook = webhooks[delivery.webhook_id]
        if not webhook.is_active:
            policy.record_inactive(delivery, now)
            continue
        token = str(uuid.uuid4())
        delivery.claim_token = token
        delivery.claimed_until = now + timedelta(seconds=webhook.timeout_seconds + lease_margin)
        claims.append(attempt_request(delivery, webhook, box, claim_token=token))
    session.flush()
    return claims


def finish_claimed(session: Session, request: AttemptRequest, outcome: Outcome) -> bool:
    """Record a worker's attempt, if it still holds the lease (False: the delivery was deleted
    with its subscription, or the lease expired and another worker took the attempt over)."""
    delivery = session.scalars(
        select(WebhookDelivery)
        .where(WebhookDelivery.id == request.delivery_id, WebhookDelivery.claim_token == request.claim_token)
        .with_for_update()
    ).first()
    if delivery is None:
        return False
    webhook = session.get(Webhook, delivery.webhook_id, with_for_update={"key_share": True})
    policy.record_outcome(delivery, webhook, outcome)
    session.flush()
    return True


def next_due(session: Session) -> datetime | None:
    """When the worker has something to do next: the earliest due attempt, or the earliest
    lease to expire (a crashed worker's attempt)."""
    due = session.scalar(
        select(func.min(WebhookDelivery.due_at)).where(
            WebhookDelivery.due_at.is_not(None), WebhookDelivery.claimed_until.is_(None)
        )
    )
    lease = session.scalar(select(func.min(WebhookDelivery.claimed_until)))
    moments = [m for m in (due, lease) if m is not None]
    return min(moments) if moments else None
