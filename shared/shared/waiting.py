"""Waiting on an `asyncio.Event` with a bound, in loops that must stop when cancelled."""

from __future__ import annotations

import asyncio
import contextlib


async def sleep_until_set(event: asyncio.Event, seconds: float) -> None:
    """Returns when `event` is set or after `seconds`, whichever comes first.

    Not `asyncio.wait_for`: on Python 3.11 it swallows a cancellation that arrives in the same
    loop turn as the event being set, so a background loop woken while being stopped goes on
    forever and its shutdown never ends. `asyncio.timeout` passes the cancellation on."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            await event.wait()
