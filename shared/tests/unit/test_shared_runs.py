"""Catch-ups shared by concurrent readers (`SharedRuns`): a caller never gets the answer of a
run that began before it called, and many callers cost about one run each round."""

import asyncio

import pytest

from shared.events.catchup import SharedRuns


class Runs:
    """A run that records when it started and finishes when released."""

    def __init__(self) -> None:
        self.started: list[int] = []
        self.finished: list[int] = []
        self.release = asyncio.Event()

    async def run(self) -> int:
        number = len(self.started)
        self.started.append(number)
        await self.release.wait()
        self.finished.append(number)
        return number


def test_callers_during_a_run_share_the_next_one_which_starts_after_them():
    async def scenario():
        runs, shared = Runs(), SharedRuns()
        first = asyncio.create_task(shared.join(runs.run))
        await asyncio.sleep(0)
        later = [asyncio.create_task(shared.join(runs.run)) for _ in range(5)]
        await asyncio.sleep(0)
        assert runs.started == [0]  # the queued run waits for the one in flight
        runs.release.set()
        return await first, await asyncio.gather(*later), runs.started

    first, later, started = asyncio.run(scenario())
    assert first == 0 and later == [1] * 5 and started == [0, 1]


def test_a_call_after_the_runs_end_starts_a_new_one():
    async def scenario():
        runs, shared = Runs(), SharedRuns()
        runs.release.set()
        return [await shared.join(runs.run) for _ in range(3)]

    assert asyncio.run(scenario()) == [0, 1, 2]


def test_a_caller_giving_up_leaves_the_run_to_the_others():
    async def scenario():
        runs, shared = Runs(), SharedRuns()
        impatient = asyncio.create_task(asyncio.wait_for(shared.join(runs.run), 0.01))
        await asyncio.sleep(0)
        patient = asyncio.create_task(shared.join(runs.run))
        with pytest.raises(TimeoutError):
            await impatient
        runs.release.set()
        return await patient, runs.finished

    assert asyncio.run(scenario()) == (1, [0, 1])  # the abandoned run was not cancelled


def test_a_failed_run_fails_its_callers_only():
    async def scenario():
        shared, calls = SharedRuns(), []

        async def flaky() -> str:
            calls.append(1)
            if len(calls) == 1:
                await asyncio.sleep(0.01)
                raise ConnectionError("owner down")
            return "ok"

        first = asyncio.create_task(shared.join(flaky))
        await asyncio.sleep(0)
        second = asyncio.create_task(shared.join(flaky))
        with pytest.raises(ConnectionError):
            await first
        return await second

    assert asyncio.run(scenario()) == "ok"
