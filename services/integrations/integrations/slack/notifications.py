"""Slack timer notifications (integrations.md §4.5), fed by tracking's timer events.

Fire-and-forget (§2.2): the consumer only decides, in its transaction, whether the event's user
wants a message; the post itself (the owner's name and zone from auth, then Slack) runs on a
small thread pool after that transaction commits. A slow or failing Slack never holds the
consumer, is logged at debug level and is not retried by redelivery."""

from __future__ import annotations

import logging
from concurrent.futures import Executor, ThreadPoolExecutor
from functools import partial
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from integrations.connectors import records
from integrations.connectors.context import Connectors
from integrations.connectors.platform import PlatformUnavailableError
from integrations.events import TRACKING_TIME_ENTRY_EVENTS
from integrations.secrets import SecretUnreadableError
from integrations.slack import messages
from integrations.slack.client import post_message
from shared.app import ConsumerSpec
from shared.events import EventEnvelope

log = logging.getLogger(__name__)
DURABLE = "integrations-slack"
FLAG_OF = {"started": "notify_on_start", "stopped": "notify_on_stop"}
_PENDING = "slack_pending_posts"
_WORKERS = 4


def notify_timer_event(session: Session, event: EventEnvelope, *, connectors: Connectors, pool: Executor) -> None:
    kind = event.type.rsplit(".", 1)[-1]
    user_id = event.data.get("user_id")
    if kind not in FLAG_OF or user_id is None:
        return
    row = records.find(session, records.SLACK, int(user_id))
    config = records.config_of(row)
    if row is None or not row.is_active or not config.get(FLAG_OF[kind]) or not config.get("channel_id"):
        return
    try:
        token = records.secret(row, "bot_token", connectors.box)
    except SecretUnreadableError:
        log.debug("slack integration %s: bot token unreadable, no notification", row.id)
        return
    post = partial(_post, connectors, token=token, channel=config["channel_id"], kind=kind, data=dict(event.data))
    _after_commit(session, pool, post)


def _after_commit(session: Session, pool: Executor, post) -> None:
    """Queue `post` to start once the consumer's transaction commits (never on a rollback: the
    redelivered event queues it again)."""
    pending = session.info.setdefault(_PENDING, [])
    if not pending:

        def submit(_session: Session) -> None:
            for queued in session.info.pop(_PENDING, []):
                pool.submit(queued)

        sa_event.listen(session, "after_commit", submit, once=True)
    pending.append(post)


def _post(connectors: Connectors, *, token: str, channel: str, kind: str, data: dict[str, Any]) -> None:
    try:
        text = _text(connectors, kind, data)
        posted = post_message(connectors, token=token, channel=channel, text=text)
        if not posted.ok:
            log.debug("slack notification for entry %s not posted: %s", data.get("id"), posted.error)
    except Exception as exc:  # noqa: BLE001 - fire-and-forget: nothing may escape to the pool
        log.debug("slack notification for entry %s failed: %s", data.get("id"), type(exc).__name__)


def _text(connectors: Connectors, kind: str, data: dict[str, Any]) -> str:
    try:
        user = connectors.platform.find_user(user_id=int(data["user_id"]))
    except PlatformUnavailableError:
        user = None
    name = user.display_name if user else data.get("user") or f"User {data['user_id']}"
    if kind == "stopped":
        return messages.timer_stopped(name, data)
    zone = messages.zone_for(user.timezone if user else None, connectors.settings.timezone)
    return messages.timer_started(name, data, zone)


def slack_consumers(connectors: Connectors) -> tuple[ConsumerSpec, ...]:
    pool = ThreadPoolExecutor(max_workers=_WORKERS, thread_name_prefix="slack-notify")
    handler = partial(notify_timer_event, connectors=connectors, pool=pool)
    return (ConsumerSpec(name=DURABLE, subject=TRACKING_TIME_ENTRY_EVENTS, handler=handler),)
