"""The one durable consumer (integrations.md §6): every platform event that a webhook event
stands for becomes one delivery per matching active subscription, in the consumer's transaction
(acknowledged after it commits; a redelivered event creates nothing new). Auth's user events
also keep the user replica the envelopes name their acting user from: the consumer reads the
stream in order, so a user is known before the events they cause."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from integrations.catalogue import webhook_event
from integrations.delivery import envelope, store
from integrations.events import PLATFORM_EVENTS, WEBHOOKS_DURABLE
from integrations.models import KnownUser
from shared.app import ConsumerSpec
from shared.db import utcnow
from shared.events import EventEnvelope, required
from shared.events.replica import upsert_replica

_NOTIFY_KEY = "webhook_worker_notify"


def apply_user_event(session: Session, event: EventEnvelope) -> None:
    data = event.data
    required(data, "id", "username")
    upsert_replica(
        session,
        KnownUser,
        {
            "id": int(data["id"]),
            "username": data["username"],
            "display_name": data.get("display_name") or data.get("full_name") or data["username"],
        },
        event,
    )


def acting_user(session: Session, event: EventEnvelope) -> dict[str, Any] | None:
    """§1.3 `user`: the event's actor from the replica; None (all fields null) for a system
    event; an id the replica does not know yet keeps its id only."""
    user_id = (event.actor or {}).get("user_id")
    if user_id is None:
        return None
    known = session.get(KnownUser, int(user_id))
    if known is None:
        return {"id": int(user_id), "username": None, "display_name": None}
    return {"id": known.id, "username": known.username, "display_name": known.display_name or known.username}


def deliver_event(session: Session, event: EventEnvelope, *, notify: Callable[[], None] | None = None) -> int:
    """Returns how many deliveries the event created."""
    name = webhook_event(event.type)
    if name is None:
        return 0
    if name.startswith("user."):
        apply_user_event(session, event)
    webhook_ids = store.subscribers(session, event_type=name, occurred_at=event.occurred_at)
    if not webhook_ids:  # the common case: nobody listens, nothing to build
        return 0
    body, digest = envelope.serialize(envelope.event_envelope(name, event, acting_user(session, event)))
    created = store.create_deliveries(
        session, webhook_ids, event_type=name, event_id=event.id, body=body, digest=digest, now=utcnow()
    )
    if created and notify is not None and not session.info.get(_NOTIFY_KEY):
        # first attempts go out the moment the deliveries are committed
        session.info[_NOTIFY_KEY] = True
        sa_event.listen(session, "after_commit", lambda _session: notify(), once=True)
    return created


def webhook_consumers(notify: Callable[[], None] | None) -> tuple[ConsumerSpec, ...]:
    return (
        ConsumerSpec(name=WEBHOOKS_DURABLE, subject=PLATFORM_EVENTS, handler=partial(deliver_event, notify=notify)),
    )
