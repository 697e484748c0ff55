"""The Slack daily summary job (integrations.md §4.5). Each tick, every active Slack integration
with `daily_summary` on whose owner's local time is within 30 minutes after `daily_summary_time`
gets the owner's hours and project count for today, once per local date (`last_summary_date` in
its config). Each integration has its own transaction and error boundary: its row is locked while
it is summarized, so a second replica waits, then finds the date already stored."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from integrations.connectors import records
from integrations.connectors.context import Connectors
from integrations.slack import config as slack_config
from integrations.slack import messages
from integrations.slack.client import post_message
from shared.db import utcnow

log = logging.getLogger(__name__)
WINDOW = timedelta(minutes=30)


def is_due(local_now: datetime, summary_time: str | None, last_date: str | None) -> bool:
    """0 ≤ now − t < 30 min on the owner's clock, and not yet posted for this local date."""
    hour, minute = map(int, slack_config.summary_time(summary_time).split(":"))
    at = local_now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return timedelta(0) <= local_now - at < WINDOW and last_date != local_now.date().isoformat()


def post_due_summaries(sessions: sessionmaker[Session], connectors: Connectors) -> None:
    with sessions() as session:
        owners = [
            row.user_id for row in records.active(session, records.SLACK) if (row.config or {}).get("daily_summary")
        ]
    for user_id in owners:
        try:
            summarize(sessions, connectors, user_id, now=utcnow())
        except Exception:  # noqa: BLE001 - one integration never stops the others
            log.exception("slack daily summary of user %s failed", user_id)


def summarize(sessions: sessionmaker[Session], connectors: Connectors, user_id: int, *, now: datetime) -> bool:
    """Post the owner's summary if it is due; True when posted."""
    with sessions() as session, session.begin():
        row = records.find(session, records.SLACK, user_id, lock=True)
        config = records.config_of(row)
        if row is None or not row.is_active or not config.get("daily_summary") or not config.get("channel_id"):
            return False
        owner = connectors.platform.active_user(user_id)
        if owner is None:
            return False
        zone = messages.zone_for(owner.timezone, connectors.settings.timezone)
        local_now = now.astimezone(zone)
        if not is_due(local_now, config.get("daily_summary_time"), config.get(slack_config.LAST_SUMMARY_DATE)):
            return False
        today = connectors.platform.tracking("GET", "/internal/connectors/today", owner, params={"tz": zone.key})
        if not today.ok:
            log.warning("slack daily summary of user %s: tracking answered %s", user_id, today.status_code)
            return False
        text = messages.daily_summary(
            owner.display_name,
            today.body.get("date") or local_now.date().isoformat(),
            today.body.get("hours") or 0,
            int(today.body.get("projects") or 0),
        )
        posted = post_message(
            connectors, token=records.secret(row, "bot_token", connectors.box), channel=config["channel_id"], text=text
        )
        if not posted.ok:
            log.info("slack daily summary of user %s not posted: %s", user_id, posted.error)
            return False
        config[slack_config.LAST_SUMMARY_DATE] = local_now.date().isoformat()
        records.save_config(row, config, connectors.box)
        return True
