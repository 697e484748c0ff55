"""Sliding-log rate-limit arithmetic (CONVENTIONS §8), free of I/O.

A request at time `t` counts in a window of length `W` at time `now` while `now - t < W`.
A request is admitted only when both the minute and the hour window hold fewer admitted
requests than their limits; a rejected request is not logged, so it consumes no quota.
The Redis script applies the same rule; `decide` turns either side's counts into the
response headers and the 429 body.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

MINUTE = 60.0
HOUR = 3600.0


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    limit_per_minute: int
    limit_per_hour: int
    remaining_per_minute: int
    remaining_per_hour: int
    limit: int  # of the binding window: the one with fewer remaining, ties → minute
    remaining: int
    reset: int  # epoch seconds at which the binding window regains a slot
    retry_after: int  # seconds until a request would be admitted (≥ 1); 0 when allowed

    def headers(self) -> list[tuple[bytes, bytes]]:
        return [
            (b"x-ratelimit-limit", str(self.limit).encode()),
            (b"x-ratelimit-remaining", str(self.remaining).encode()),
            (b"x-ratelimit-reset", str(self.reset).encode()),
        ]


def decide(
    *,
    allowed: bool,
    count_minute: int,
    count_hour: int,
    oldest_minute: float | None,
    oldest_hour: float | None,
    now: float,
    per_minute: int,
    per_hour: int,
) -> Decision:
    """Counts are after the request (it is included when admitted); `oldest_*` is the time of
    the oldest request still inside that window (None when the window is empty)."""
    remaining_minute = max(0, per_minute - count_minute)
    remaining_hour = max(0, per_hour - count_hour)
    free_minute = now if oldest_minute is None else oldest_minute + MINUTE
    free_hour = now if oldest_hour is None else oldest_hour + HOUR
    if remaining_hour < remaining_minute:
        limit, remaining, free_at = per_hour, remaining_hour, free_hour
    else:
        limit, remaining, free_at = per_minute, remaining_minute, free_minute
    retry_after = 0
    if not allowed:
        # A retry succeeds only once every exhausted window has freed a slot.
        waits = [0.0]
        if count_minute >= per_minute:
            waits.append(free_minute - now)
        if count_hour >= per_hour:
            waits.append(free_hour - now)
        retry_after = max(1, math.ceil(max(waits)))
    return Decision(
        allowed=allowed,
        limit_per_minute=per_minute,
        limit_per_hour=per_hour,
        remaining_per_minute=remaining_minute,
        remaining_per_hour=remaining_hour,
        limit=limit,
        remaining=remaining,
        reset=math.ceil(max(free_at, now)),
        retry_after=retry_after,
    )


class SlidingLog:
    """The exact log of one key's admitted requests: one deque per window."""

    __slots__ = ("minute", "hour")

    def __init__(self) -> None:
        self.minute: deque[float] = deque()
        self.hour: deque[float] = deque()

    def hit(self, now: float, per_minute: int, per_hour: int) -> Decision:
        minute, hour = self.minute, self.hour
        if hour and now < hour[-1]:
            now = hour[-1]  # the wall clock stepped back: keep the log ordered
        self.expire(now)
        allowed = len(minute) < per_minute and len(hour) < per_hour
        if allowed:
            minute.append(now)
            hour.append(now)
        return decide(
            allowed=allowed,
            count_minute=len(minute),
            count_hour=len(hour),
            oldest_minute=minute[0] if minute else None,
            oldest_hour=hour[0] if hour else None,
            now=now,
            per_minute=per_minute,
            per_hour=per_hour,
        )

    def expire(self, now: float) -> None:
        minute, hour = self.minute, self.hour
        cut = now - MINUTE
        while minute and minute[0] <= cut:
            minute.popleft()
        cut = now - HOUR
        while hour and hour[0] <= cut:
            hour.popleft()


class LocalLimiter:
    """Sliding logs per key, in this process (no Redis, or Redis unreachable)."""

    def __init__(self) -> None:
        self._logs: dict[str, SlidingLog] = {}

    def hit(self, key: str, now: float, per_minute: int, per_hour: int) -> Decision:
        log = self._logs.get(key)
        if log is None:
            log = self._logs[key] = SlidingLog()
        return log.hit(now, per_minute, per_hour)

    def prune(self, now: float) -> None:
        """Forget keys with nothing left in their hour window (bounded memory)."""
        for key in list(self._logs):
            log = self._logs[key]
            log.expire(now)
            if not log.hour:
                del self._logs[key]

    def __len__(self) -> int:
        return len(self._logs)
