"""Channel messages (integrations.md §4.5): timer started/stopped and the daily summary, with
times in the owner's zone. Pure functions."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from integrations.slack.commands import hms


def zone_for(timezone: str | None, default: str) -> ZoneInfo:
    """The owner's zone when it is a valid IANA name, else the platform's default."""
    for name in (timezone, default):
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def local_hhmm(iso: str | None, zone: ZoneInfo) -> str:
    if not iso:
        return "--:--"
    return datetime.fromisoformat(iso).astimezone(zone).strftime("%H:%M")


def _work(data: dict[str, Any]) -> str:
    project = data.get("project") or data.get("client") or "no project"
    return f"{project} — {data['task']}" if data.get("task") else project


def timer_started(name: str, data: dict[str, Any], zone: ZoneInfo) -> str:
    return f":arrow_forward: *{name}* started a timer on *{_work(data)}* at {local_hhmm(data.get('start_time'), zone)}"


def timer_stopped(name: str, data: dict[str, Any]) -> str:
    billable = "Yes" if data.get("billable") else "No"
    return (
        f":stop_button: *{name}* stopped the timer on *{_work(data)}* after "
        f"*{hms(data.get('duration_seconds'))}* (billable: {billable})"
    )


def daily_summary(name: str, day: str, hours: float, projects: int) -> str:
    return f":bar_chart: Daily summary for *{name}* ({day}): *{round(float(hours), 2)}h* across *{projects}* project(s)"
