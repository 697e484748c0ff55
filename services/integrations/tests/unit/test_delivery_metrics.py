"""`tt_webhook_deliveries_total{outcome}` follows the retry policy's decisions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from prometheus_client import REGISTRY

from integrations.delivery.policy import record_inactive, record_outcome
from integrations.delivery.sender import Outcome
from integrations.models import Webhook, WebhookDelivery

T0 = datetime(2026, 4, 20, 8, 0, tzinfo=UTC)


def counted() -> dict[str, float]:
    return {
        outcome: REGISTRY.get_sample_value("tt_webhook_deliveries_total", {"outcome": outcome}) or 0
        for outcome in ("delivered", "retrying", "failed")
    }


def rows(max_retries: int = 1):
    hook = Webhook(
        max_retries=max_retries,
        retry_delay_seconds=60,
        total_deliveries=0,
        successful_deliveries=0,
        failed_deliveries=0,
    )
    return WebhookDelivery(status="pending", attempt_number=1, attempts_made=0, retry_count=0), hook


def failed(at: datetime) -> Outcome:
    return Outcome(at, at, 5, status_code=500, error_type="http_error", error_message="HTTP 500: x")


def test_each_attempt_counts_under_its_outcome():
    before = counted()
    delivery, hook = rows(max_retries=1)
    record_outcome(delivery, hook, failed(T0))  # one retry left
    record_outcome(delivery, hook, failed(T0 + timedelta(seconds=60)))  # final
    other, hook = rows()
    record_outcome(other, hook, Outcome(T0, T0, 3, status_code=204))
    after = counted()
    assert {k: after[k] - before[k] for k in after} == {"delivered": 1, "retrying": 1, "failed": 1}


def test_a_delivery_ended_by_a_deactivated_subscription_counts_as_failed():
    before = counted()
    delivery, _ = rows()
    record_inactive(delivery, T0)
    assert counted()["failed"] - before["failed"] == 1
