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
            "is_admin": bool(data.get("is_admin")),
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


def deliver_events(session: Session, events: list[EventEnvelope], *, notify: Callable[[], None] | None = None) -> int:
    """A fetched batch, in stream order: the subscriptions are read once for the batch. Returns
    how many deliveries the events created."""
    named = [(event, name) for event in events if (name := webhook_event(event.type)) is not None]
    if not named:
        return 0
    subscriptions = store.active_subscriptions(session, {name for _, name in named})
    created = 0
    for event, name in named:
        if name.startswith("user."):
            apply_user_event(session, event)
        actor_id = (event.actor or {}).get("user_id")
        webhook_ids = [s.id for s in subscriptions if s.receives(name, event.occurred_at, actor_id)]
        if webhook_ids:  # the common case is nobody listening: nothing to build
            created += _deliver(session, event, name, webhook_ids)
    if created and notify is not None and not session.info.get(_NOTIFY_KEY):
        # first attempts go out the moment the deliveries are committed
        session.info[_NOTIFY_KEY] = True
        sa_event.listen(session, "after_commit", lambda _session: notify(), once=True)
    return created


def deliver_event(session: Session, event: EventEnvelope, *, notify: Callable[[], None] | None = None) -> int:
    """`deliver_events` for one event (the consumer's one-by-one path)."""
    return deliver_events(session, [event], notify=notify)


def _deliver(session: Session, event: EventEnvelope, name: str, webhook_ids: list[int]) -> int:
    body, digest = envelope.serialize(envelope.event_envelope(name, event, acting_user(session, event)))
    return store.create_deliveries(
        session, webhook_ids, event_type=name, event_id=event.id, body=body, digest=digest, now=utcnow()
    )


def webhook_consumers(notify: Callable[[], None] | None) -> tuple[ConsumerSpec, ...]:
    return (
        ConsumerSpec(
            name=WEBHOOKS_DURABLE,
            subject=PLATFORM_EVENTS,
            handler=partial(deliver_event, notify=notify),
            batch_handler=partial(deliver_events, notify=notify),
        ),
    )
