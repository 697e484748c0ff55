"""The retry policy of integrations.md §1.5, applied to a delivery and its subscription once an
attempt's outcome is known. Plain functions on the rows (the caller holds their locks)."""

from __future__ import annotations

from datetime import datetime, timedelta

from integrations.delivery.metrics import count_attempt
from integrations.delivery.sender import Outcome
from integrations.models import Webhook, WebhookDelivery

INACTIVE_MESSAGE = "Webhook is inactive or deleted"


def retry_delay(retry_delay_seconds: int, retry_count: int) -> timedelta:
    """`retry_delay_seconds × 2^retry_count` (defaults: +60 s, +120 s, +240 s)."""
    return timedelta(seconds=retry_delay_seconds * 2**retry_count)


def record_outcome(delivery: WebhookDelivery, webhook: Webhook, outcome: Outcome) -> None:
    """The attempt's figures on the delivery; the subscription's counters (per attempt); then
    success, another attempt scheduled, or final failure."""
    delivery.attempts_made += 1
    delivery.attempt_number = delivery.attempts_made
    delivery.started_at = outcome.started_at
    delivery.completed_at = outcome.completed_at
    delivery.duration_ms = outcome.duration_ms
    delivery.response_status_code = outcome.status_code
    delivery.response_body = outcome.response_body
    delivery.response_headers = outcome.response_headers
    delivery.error_type = outcome.error_type
    delivery.error_message = outcome.error_message
    delivery.claimed_until = None
    delivery.claim_token = None
    webhook.total_deliveries += 1
    webhook.last_delivery_at = outcome.completed_at
    if outcome.succeeded:
        webhook.successful_deliveries += 1
        webhook.last_success_at = outcome.completed_at
        _finish(delivery, "success")
        return
    webhook.failed_deliveries += 1
    webhook.last_failure_at = outcome.completed_at
    if delivery.retry_count < webhook.max_retries:
        delivery.status = "retrying"
        delivery.next_retry_at = outcome.completed_at + retry_delay(webhook.retry_delay_seconds, delivery.retry_count)
        delivery.due_at = delivery.next_retry_at
        delivery.retry_count += 1
        count_attempt("retrying")
    else:
        _finish(delivery, "failed")


def record_inactive(delivery: WebhookDelivery, now: datetime) -> None:
    """§1.5.4: the subscription was deactivated meanwhile — final, without a request."""
    delivery.error_type = "webhook_inactive"
    delivery.error_message = INACTIVE_MESSAGE
    delivery.completed_at = now
    delivery.claimed_until = None
    delivery.claim_token = None
    _finish(delivery, "failed")


def _finish(delivery: WebhookDelivery, status: str) -> None:
    count_attempt(status)
    delivery.status = status
    delivery.next_retry_at = None
    delivery.due_at = None
