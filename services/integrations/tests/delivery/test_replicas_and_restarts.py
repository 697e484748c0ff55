"""Restarts and replicas: a pending retry survives a stopped worker and happens exactly once;
an attempt whose worker process was killed mid-request is taken over when its lease expires;
two workers on one database send every delivery exactly once."""

from __future__ import annotations

import os
import signal
import time
from collections import Counter

from sqlalchemy import select

from integrations.models import Webhook, WebhookDelivery
from shared.testing.fixtures import ServiceProcess


def rows(committed, webhook_id: int) -> list[WebhookDelivery]:
    with committed() as s:
        return list(s.scalars(select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook_id)))


def wait_until(check, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.01)
    raise AssertionError("condition not met in time")


def test_a_pending_retry_survives_a_stopped_worker_and_happens_once(
    running_app, receiver, subscribe, publish, committed
):
    receiver.script("/hook", [500, 200])
    hook_id, _ = subscribe(receiver.url(), retry_delay_seconds=2, max_retries=3)
    with running_app() as client:
        publish("tt.crm.client.created", {"id": 1, "name": "A"}, notify=client.app.state.webhook_worker.notify)
        retrying = wait_until(lambda: (r := rows(committed, hook_id)) and r[0].status == "retrying" and r[0])
    # the worker is gone (its task cancelled with the app) while the retry is pending
    due = retrying.next_retry_at.timestamp()
    time.sleep(max(0.0, due - time.time()) + 0.5)
    assert len(receiver.at("/hook")) == 1
    with running_app() as client:
        wait_until(lambda: (r := rows(committed, hook_id)) and r[0].status == "success")
        time.sleep(0.5)
    assert len(receiver.at("/hook")) == 2
    [done] = rows(committed, hook_id)
    assert (done.attempt_number, done.retry_count, done.claimed_until) == (2, 1, None)


def test_a_worker_killed_mid_attempt_leaves_a_lease_that_expires(
    receiver, subscribe, publish, committed, process_env, tmp_path, running_app
):
    receiver.delay("/slow", 5, 0)  # the first request hangs: the process is killed meanwhile
    hook_id, _ = subscribe(receiver.url("/slow"), timeout_seconds=2, max_retries=0)
    process = ServiceProcess("integrations.main:create_app", process_env, tmp_path / "killed.log").start()
    try:
        publish("tt.crm.client.created", {"id": 2, "name": "B"})  # its worker polls every 0.2 s
        receiver.wait_for("/slow", 1)
        os.kill(process.proc.pid, signal.SIGKILL)
        process.proc.wait()
    finally:
        process.stop()
    [leased] = rows(committed, hook_id)
    assert leased.status == "pending" and leased.claimed_until is not None  # lease = timeout + margin
    with running_app():
        got = receiver.wait_for("/slow", 2, timeout=10)
        done = wait_until(lambda: (r := rows(committed, hook_id)) and r[0].status == "success" and r[0])
        time.sleep(0.5)
    assert got[1].at >= leased.claimed_until.timestamp() - 0.05  # not before the lease expired
    assert len(receiver.at("/slow")) == 2 and got[0].headers["webhook-id"] == got[1].headers["webhook-id"]
    assert (done.attempt_number, done.claimed_until, done.claim_token) == (1, None, None)
    with committed() as s:
        assert s.get(Webhook, hook_id).total_deliveries == 1


def test_two_workers_send_every_delivery_exactly_once(running_app, receiver, subscribe, publish, committed):
    hooks = [subscribe(receiver.url(f"/r{i}"), events=["time_entry.created"])[0] for i in range(3)]
    with running_app() as first, running_app() as second:
        workers = [first.app.state.webhook_worker, second.app.state.webhook_worker]

        def notify_both() -> None:
            for worker in workers:
                worker.notify()

        for i in range(40):
            publish("tt.tracking.time_entry.created", {"id": 1000 + i, "project": "P"}, notify=notify_both)
        for i in range(3):
            receiver.wait_for(f"/r{i}", 40, timeout=20)
        time.sleep(1.0)
        shares = [worker.attempts_started for worker in workers]
    assert sum(shares) == 120 and min(shares) > 0, shares
    ids = Counter(r.headers["webhook-id"] for r in receiver.requests)
    assert len(ids) == 120 and set(ids.values()) == {1}
    for hook_id in hooks:
        assert {d.status for d in rows(committed, hook_id)} == {"success"}
    with committed() as s:
        assert sum(w.total_deliveries for w in s.scalars(select(Webhook))) == 120
