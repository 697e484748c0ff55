"""The delivery worker against a real receiver on loopback: first attempts within milliseconds,
both signatures, the retry schedule to the second, giving up, inactive subscriptions, the
delivery log and manual redelivery, the test action, slow receivers."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import UTC, datetime

from sqlalchemy import select, update

from integrations.models import Webhook, WebhookDelivery

ENTRY = {"id": 77, "user_id": 3, "project": "Website Redesign", "task": "Homepage", "project_id": 5}


def deliveries(committed, webhook_id: int) -> list[WebhookDelivery]:
    with committed() as s:
        return list(s.scalars(select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook_id)))


def webhook(committed, webhook_id: int) -> Webhook:
    with committed() as s:
        return s.get(Webhook, webhook_id)


def wait_until(check, timeout: float = 10.0, step: float = 0.01):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("condition not met in time")


def verify_like_a_client(received, secret: str) -> None:
    """What a receiver does: recompute both HMACs over the raw body, compare in constant time."""
    body = received.body
    legacy = received.headers["x-webhook-signature"].removeprefix("sha256=")
    assert hmac.compare_digest(legacy, hmac.new(secret.encode(), body, hashlib.sha256).hexdigest())
    msg_id, ts = received.headers["webhook-id"], received.headers["webhook-timestamp"]
    signed = f"{msg_id}.{ts}.".encode() + body
    expected = base64.b64encode(hmac.new(secret.encode(), signed, hashlib.sha256).digest()).decode()
    assert any(
        hmac.compare_digest(sig.split(",", 1)[1], expected) for sig in received.headers["webhook-signature"].split()
    )
    assert abs(int(ts) - time.time()) < 60


def status_of(committed, webhook_id: int, wanted: str) -> WebhookDelivery | None:
    rows = deliveries(committed, webhook_id)
    return rows[0] if rows and rows[0].status == wanted else None


def test_an_event_arrives_within_milliseconds_signed_both_ways(running_app, receiver, subscribe, publish, committed):
    hook_id, secret = subscribe(receiver.url(), events=["time_entry.started"])
    ignored_id, _ = subscribe(receiver.url("/other"), events=["project.created"])
    with committed() as s, s.begin():
        from integrations.models import KnownUser

        s.merge(KnownUser(id=3, username="alice", display_name="Alice Doe", event_at=datetime.now(UTC)))
    with running_app() as client:
        worker = client.app.state.webhook_worker
        began = time.monotonic()
        event = publish("tt.tracking.time_entry.started", ENTRY, actor_id=3, notify=worker.notify)
        [got] = receiver.wait_for("/hook", 1)
        lag = got.at - (time.time() - (time.monotonic() - began))
        assert lag < 0.5, lag
        verify_like_a_client(got, secret)
        assert got.method == "POST" and got.headers["content-type"] == "application/json"
        assert got.headers["user-agent"] == "TimeTracker-Webhook/1.0"
        assert got.headers["x-webhook-event"] == "time_entry.started" and got.headers["x-webhook-id"] == str(hook_id)
        payload = json.loads(got.body)
        assert payload["event_id"] == event.id and payload["action"] == "started"
        assert payload["user"] == {"id": 3, "username": "alice", "display_name": "Alice Doe"}
        assert payload["entity"] == {"type": "time_entry", "id": 77, "name": "Website Redesign - Homepage"}
        assert payload["data"]["project"] == "Website Redesign"
        done = wait_until(lambda: status_of(committed, hook_id, "success"))
        assert done.payload == got.body and done.payload_hash == hashlib.sha256(got.body).hexdigest()
        assert (done.attempt_number, done.response_status_code, done.retry_count) == (1, 200, 0)
        assert done.duration_ms is not None and done.message_id == got.headers["webhook-id"]
        hook = webhook(committed, hook_id)
        assert (hook.total_deliveries, hook.successful_deliveries, hook.failed_deliveries) == (1, 1, 0)
        # the same event again (a redelivery by NATS) creates nothing new
        publish("tt.tracking.time_entry.started", ENTRY, event=event, notify=worker.notify)
        time.sleep(0.3)
        assert len(receiver.at("/hook")) == 1 and len(deliveries(committed, hook_id)) == 1
    assert receiver.at("/other") == [] and deliveries(committed, ignored_id) == []


def test_the_durable_path_is_idempotent_even_past_its_processed_record(subscribe, publish, committed):
    """The unique (event, subscription) constraint: the handler run twice for one event."""
    from integrations.consumers import deliver_event

    hook_id, _ = subscribe("https://example.com/x", events=["client.created"])
    event = publish("tt.crm.client.created", {"id": 5, "name": "Acme"})
    with committed() as s, s.begin():
        assert deliver_event(s, event) == 0
    assert len(deliveries(committed, hook_id)) == 1


def test_retries_fire_at_next_retry_at_then_succeed(running_app, receiver, subscribe, publish, committed):
    receiver.script("/hook", [500, 503, 200])
    hook_id, secret = subscribe(receiver.url(), retry_delay_seconds=1, max_retries=3)
    with running_app() as client:
        publish("tt.crm.client.created", {"id": 9, "name": "Acme"}, notify=client.app.state.webhook_worker.notify)
        scheduled = []
        for count in (1, 2):
            receiver.wait_for("/hook", count)
            row = wait_until(lambda c=count: (r := deliveries(committed, hook_id)[0]).retry_count == c and r)
            assert row.status == "retrying" and row.next_retry_at is not None
            scheduled.append((row.completed_at, row.next_retry_at))
        got = receiver.wait_for("/hook", 3)
        done = wait_until(lambda: status_of(committed, hook_id, "success"))
    # +1 s after the first failure, +2 s after the second; each honoured within a second
    for (failed_at, due), arrival in zip(scheduled, got[1:], strict=True):
        assert round((due - failed_at).total_seconds()) in (1, 2)
        assert due.timestamp() - 0.05 <= arrival.at <= due.timestamp() + 1.0, (due, arrival.at)
    assert [round((d - f).total_seconds()) for f, d in scheduled] == [1, 2]
    assert len({r.body for r in got}) == 1 and len({r.headers["webhook-id"] for r in got}) == 1
    for r in got:
        verify_like_a_client(r, secret)
    assert (done.attempt_number, done.retry_count, done.next_retry_at) == (3, 2, None)
    hook = webhook(committed, hook_id)
    assert (hook.total_deliveries, hook.failed_deliveries, hook.successful_deliveries) == (3, 2, 1)
    assert hook.last_success_at == hook.last_delivery_at and hook.last_failure_at < hook.last_success_at


def test_gives_up_after_max_retries(running_app, receiver, subscribe, publish, committed):
    receiver.script("/hook", [500])
    hook_id, _ = subscribe(receiver.url(), retry_delay_seconds=1, max_retries=2)
    with running_app() as client:
        publish("tt.crm.client.updated", {"id": 9, "name": "Acme"}, notify=client.app.state.webhook_worker.notify)
        receiver.wait_for("/hook", 3, timeout=15)
        done = wait_until(lambda: status_of(committed, hook_id, "failed"), timeout=15)
        time.sleep(1.5)
    assert len(receiver.at("/hook")) == 3  # 1 + max_retries
    assert (done.attempt_number, done.retry_count, done.error_type) == (3, 2, "http_error")
    assert done.error_message.startswith("HTTP 500: ") and done.response_status_code == 500
    assert done.next_retry_at is None
    hook = webhook(committed, hook_id)
    assert (hook.total_deliveries, hook.failed_deliveries, hook.is_active) == (3, 3, True)  # never auto-disabled


def test_a_deactivated_subscription_ends_its_pending_retry(running_app, receiver, subscribe, publish, committed):
    receiver.script("/hook", [500])
    hook_id, _ = subscribe(receiver.url(), retry_delay_seconds=1)
    with running_app() as client:
        publish("tt.crm.client.deleted", {"id": 9, "name": "Acme"}, notify=client.app.state.webhook_worker.notify)
        wait_until(lambda: status_of(committed, hook_id, "retrying"))
        with committed() as s, s.begin():
            s.execute(update(Webhook).where(Webhook.id == hook_id).values(is_active=False))
        done = wait_until(lambda: status_of(committed, hook_id, "failed"), timeout=5)
    assert (done.error_type, done.error_message) == ("webhook_inactive", "Webhook is inactive or deleted")
    assert len(receiver.at("/hook")) == 1


def test_delivery_log_and_manual_redelivery(running_app, receiver, subscribe, publish, committed, headers_for):
    receiver.script("/hook", [500, 200])
    hook_id, secret = subscribe(receiver.url(), max_retries=0, user_id=55)
    owner = headers_for(55, "read:webhooks", "write:webhooks")
    with running_app() as client:
        publish("tt.tracking.project.archived", {"id": 4, "name": "P"}, notify=client.app.state.webhook_worker.notify)
        wait_until(lambda: status_of(committed, hook_id, "failed"))
        log = client.get(f"/api/v1/webhooks/{hook_id}/deliveries", headers=owner).json()["deliveries"]
        assert [(d["status"], d["attempt_number"], d["response_status_code"]) for d in log] == [("failed", 1, 500)]
        delivery_id = log[0]["id"]
        stranger = headers_for(56, "read:webhooks", "write:webhooks")
        path = f"/api/v1/webhooks/{hook_id}/deliveries/{delivery_id}/redeliver"
        assert client.post(path, headers=stranger).status_code == 403
        r = client.post(path, headers=owner)
        assert r.status_code == 200, r.text
        out = r.json()
        assert out["success"] is True and out["delivery"]["status"] == "success"
        assert out["delivery"]["attempt_number"] == 2 and out["delivery"]["error_type"] is None
    first, second = receiver.at("/hook")
    assert first.body == second.body and first.headers["webhook-id"] == second.headers["webhook-id"]
    verify_like_a_client(second, secret)
    hook = webhook(committed, hook_id)
    assert (hook.total_deliveries, hook.failed_deliveries, hook.successful_deliveries) == (2, 1, 1)


def test_the_test_action_is_synchronous(running_app, receiver, subscribe, committed, headers_for):
    hook_id, secret = subscribe(receiver.url(), events=["project.created"], user_id=57)
    with running_app() as client:
        r = client.post(f"/api/v1/webhooks/{hook_id}/test", headers=headers_for(57, "write:webhooks"))
        assert r.status_code == 200, r.text
        out = r.json()
        assert out == {"success": True, "delivery": out["delivery"], "message": "Test webhook sent successfully"}
        assert out["delivery"]["event_type"] == "webhook.test" and out["delivery"]["status"] == "success"
    [got] = receiver.at("/hook")  # already there when the response came
    verify_like_a_client(got, secret)
    payload = json.loads(got.body)
    assert payload["event_type"] == "webhook.test" and payload["user"] == {"id": 57, "username": "user57"}
    assert set(payload) == {"event_type", "timestamp", "user", "message"}


def test_a_slow_receiver_times_out_and_never_blocks_the_others(running_app, receiver, subscribe, publish, committed):
    receiver.delay("/slow", 3)
    slow_id, _ = subscribe(receiver.url("/slow"), timeout_seconds=1, max_retries=0)
    fast_id, _ = subscribe(receiver.url("/fast"))
    with running_app(webhook_max_concurrent_deliveries=4) as client:
        notify = client.app.state.webhook_worker.notify
        for i in range(3):
            publish("tt.crm.client.created", {"id": 100 + i, "name": f"C{i}"}, notify=notify)
        began = time.time()
        receiver.wait_for("/fast", 3, timeout=2)
        assert time.time() - began < 1.0
        done = wait_until(
            lambda: len(rows := [d for d in deliveries(committed, slow_id) if d.status == "failed"]) == 3 and rows
        )
    assert {(d.error_type, d.error_message) for d in done} == {("timeout", "Request timeout after 1s")}
    assert all(d.duration_ms < 2000 for d in done)
