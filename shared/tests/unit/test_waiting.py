"""A background loop stops when cancelled, even when it is woken in the same loop turn."""

import asyncio

from shared.waiting import sleep_until_set


async def _loop_woken_while_cancelled() -> asyncio.Task:
    event = asyncio.Event()

    async def background_loop():
        while True:
            event.clear()
            await sleep_until_set(event, 30)

    task = asyncio.create_task(background_loop())
    await asyncio.sleep(0.01)  # the loop is waiting on the event
    event.set()  # woken …
    task.cancel()  # … and stopped in the same turn
    done, _ = await asyncio.wait({task}, timeout=2)
    assert done, "the cancelled loop went on"
    return task


def test_a_loop_woken_as_it_is_cancelled_stops():
    task = asyncio.run(_loop_woken_while_cancelled())
    assert task.cancelled()


def test_it_returns_when_set_and_after_the_bound():
    async def scenario():
        event = asyncio.Event()
        loop = asyncio.get_running_loop()
        started = loop.time()
        await sleep_until_set(event, 0.05)
        waited = loop.time() - started
        loop.call_later(0.01, event.set)
        started = loop.time()
        await sleep_until_set(event, 30)
        return waited, loop.time() - started

    bounded, woken = asyncio.run(scenario())
    assert 0.04 <= bounded < 1 and woken < 1
