"""Webhook delivery metrics, on prometheus-client's default registry (served by `/metrics`)."""

from __future__ import annotations

from prometheus_client import Counter

WEBHOOK_DELIVERIES = Counter(
    "tt_webhook_deliveries_total",
    "Webhook delivery attempts by outcome: delivered, retrying (another attempt scheduled), failed (final)",
    ["outcome"],
)
# delivery status after an attempt → outcome label; children made once
_OUTCOMES = {
    status: WEBHOOK_DELIVERIES.labels(outcome=outcome)
    for status, outcome in (("success", "delivered"), ("retrying", "retrying"), ("failed", "failed"))
}


def count_attempt(status: str) -> None:
    _OUTCOMES[status].inc()
