"""Duration arithmetic of tracking.md §1.3–§1.4: net seconds, the owner's rounding, display.
Shared by entries, the timer, task totals, search hits and the user replica's rounding."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Rounding:
    """A user's rounding preference; the default (1 minute) means no rounding."""

    enabled: bool = True
    minutes: int = 1
    method: str = "nearest"


NO_ROUNDING = Rounding()


def round_seconds(raw: int, rounding: Rounding) -> int:
    step = rounding.minutes
    if not rounding.enabled or step <= 1:
        return raw
    units = raw / 60 / step
    if rounding.method == "up":
        whole = math.ceil(units)
    elif rounding.method == "down":
        whole = math.floor(units)
    else:
        whole = round(units)  # half to even, as specified
    return int(whole * step * 60)


def net_seconds(start: datetime, end: datetime, break_seconds: int, rounding: Rounding = NO_ROUNDING) -> int:
    """`floor(end − start)`, minus the break, floored at 0, then rounded (§1.4)."""
    raw = math.floor((end - start).total_seconds())
    return round_seconds(max(0, raw - break_seconds), rounding)


def live_seconds(start: datetime, break_seconds: int, paused_at: datetime | None, now: datetime) -> int:
    """A running timer's worked seconds so far; frozen while paused."""
    return max(0, math.floor(((paused_at or now) - start).total_seconds()) - break_seconds)


def hms(seconds: int) -> str:
    """`HH:MM:SS`, hours at least two digits and unbounded."""
    hours, rest = divmod(max(0, seconds), 3600)
    return f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"


def hours(seconds: int | None) -> float:
    return round((seconds or 0) / 3600, 2)
