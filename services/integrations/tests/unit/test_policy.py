"""The retry policy of §1.5 on plain rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from integrations.delivery.policy import record_inactive, record_outcome, retry_delay
from integrations.delivery.sender import Outcome
from integrations.models import Webhook, WebhookDelivery

T0 = datetime(2026, 4, 20, 8, 0, tzinfo=UTC)


def rows(**webhook):
    hook = Webhook(
        max_retries=webhook.get("max_retries", 3),
        retry_delay_seconds=webhook.get("retry_delay_seconds", 60),
        total_deliveries=0,
        successful_deliveries=0,
        failed_deliveries=0,
    )
    delivery = WebhookDelivery(status="pending", attempt_number=1, attempts_made=0, retry_count=0)
    return delivery, hook


def failed(at: datetime) -> Outcome:
    return Outcome(at, at, 5, status_code=500, error_type="http_error", error_message="HTTP 500: x")


def ok(at: datetime) -> Outcome:
    return Outcome(at, at, 3, status_code=204)


def test_default_backoff():
    assert [retry_delay(60, n) for n in range(3)] == [timedelta(seconds=s) for s in (60, 120, 240)]


def test_retries_then_gives_up_after_max_retries():
    delivery, hook = rows()
    at = T0
    schedule = []
    for _ in range(4):
        record_outcome(delivery, hook, failed(at))
        schedule.append((delivery.status, delivery.attempt_number, delivery.retry_count, delivery.next_retry_at))
        at = delivery.next_retry_at or at
    assert schedule == [
        ("retrying", 1, 1, T0 + timedelta(seconds=60)),
        ("retrying", 2, 2, T0 + timedelta(seconds=180)),
        ("retrying", 3, 3, T0 + timedelta(seconds=420)),
        ("failed", 4, 3, None),
    ]
    assert delivery.due_at is None and delivery.claimed_until is None
    assert (hook.total_deliveries, hook.failed_deliveries, hook.successful_deliveries) == (4, 4, 0)
    assert hook.last_failure_at == hook.last_delivery_at == T0 + timedelta(seconds=420)


def test_success_after_a_failure():
    delivery, hook = rows()
    record_outcome(delivery, hook, failed(T0))
    record_outcome(delivery, hook, ok(T0 + timedelta(seconds=60)))
    assert (delivery.status, delivery.attempt_number, delivery.error_type, delivery.next_retry_at) == (
        "success",
        2,
        None,
        None,
    )
    assert (hook.total_deliveries, hook.successful_deliveries, hook.failed_deliveries) == (2, 1, 1)
    assert hook.last_success_at == T0 + timedelta(seconds=60)


def test_no_retries_means_final_at_once():
    delivery, hook = rows(max_retries=0)
    record_outcome(delivery, hook, failed(T0))
    assert delivery.status == "failed" and delivery.retry_count == 0


def test_inactive():
    delivery, _ = rows()
    record_inactive(delivery, T0)
    assert (delivery.status, delivery.error_type, delivery.error_message) == (
        "failed",
        "webhook_inactive",
        "Webhook is inactive or deleted",
    )
