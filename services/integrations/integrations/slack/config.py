"""The Slack config keys (integrations.md §4.1) and how a saved body changes them. Pure: the
secrets are sealed by the service, which hands this module only the plain settings."""

from __future__ import annotations

import re
from typing import Any

from integrations.connectors import values

DEFAULT_SUMMARY_TIME = "18:00"
FLAGS = ("notify_on_start", "notify_on_stop", "daily_summary")
TEXTS = ("channel_id", "linked_slack_user_id")
SECRETS = ("bot_token", "signing_secret")
LAST_SUMMARY_DATE = "last_summary_date"
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")


def summary_time(value: Any) -> str:
    """`HH:MM` 24 h, zero-padded; anything else is the default."""
    match = _TIME.match(str(value or "").strip())
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        return DEFAULT_SUMMARY_TIME
    return f"{int(match[1]):02d}:{match[2]}"


def apply_settings(config: dict[str, Any], fields: dict[str, Any]) -> None:
    """Keys present in the body are set (blank text → null); absent keys keep their value, so a
    client may save one setting without repeating the others."""
    for key in TEXTS:
        if key in fields:
            config[key] = values.text(fields[key])
    for key in FLAGS:
        if key in fields:
            config[key] = values.flag(fields[key])
    if "daily_summary_time" in fields or "daily_summary_time" not in config:
        config["daily_summary_time"] = summary_time(fields.get("daily_summary_time"))


def new_secrets(fields: dict[str, Any]) -> dict[str, str]:
    """The secrets to replace: only non-blank values (a blank never clears a stored one)."""
    return {key: plain for key in SECRETS if (plain := values.text(fields.get(key)))}


def snapshot(config: dict[str, Any]) -> dict[str, Any]:
    """The status fields read from config (§4.2), never a secret."""
    return {
        "channel_id": config.get("channel_id"),
        "notify_on_start": bool(config.get("notify_on_start")),
        "notify_on_stop": bool(config.get("notify_on_stop")),
        "daily_summary": bool(config.get("daily_summary")),
        "daily_summary_time": summary_time(config.get("daily_summary_time")),
        "linked_slack_user_id": config.get("linked_slack_user_id"),
        "has_signing_secret": bool(config.get("signing_secret")),
    }
