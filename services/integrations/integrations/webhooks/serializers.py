"""The webhook and delivery objects as the API returns them (§1.1, §1.5)."""

from __future__ import annotations

from typing import Any

from integrations.models import Webhook, WebhookDelivery
from shared.timefmt import iso_utc


def serialize_webhook(webhook: Webhook, *, secret: str | None = None) -> dict[str, Any]:
    """`secret` only when the caller just created or regenerated it."""
    out: dict[str, Any] = {
        "id": webhook.id,
        "name": webhook.name,
        "description": webhook.description,
        "url": webhook.url,
        "events": list(webhook.events),
        "http_method": webhook.http_method,
        "content_type": webhook.content_type,
        "headers": dict(webhook.headers or {}),
        "is_active": webhook.is_active,
        "user_id": webhook.user_id,
        "max_retries": webhook.max_retries,
        "retry_delay_seconds": webhook.retry_delay_seconds,
        "timeout_seconds": webhook.timeout_seconds,
        "total_deliveries": webhook.total_deliveries,
        "successful_deliveries": webhook.successful_deliveries,
        "failed_deliveries": webhook.failed_deliveries,
        "last_delivery_at": iso_utc(webhook.last_delivery_at),
        "last_success_at": iso_utc(webhook.last_success_at),
        "last_failure_at": iso_utc(webhook.last_failure_at),
        "created_at": iso_utc(webhook.created_at),
        "updated_at": iso_utc(webhook.updated_at),
    }
    if secret is not None:
        out["secret"] = secret
    return out


def serialize_delivery(delivery: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": delivery.id,
        "webhook_id": delivery.webhook_id,
        "event_type": delivery.event_type,
        "event_id": delivery.event_id,
        "status": delivery.status,
        "attempt_number": delivery.attempt_number,
        "response_status_code": delivery.response_status_code,
        "error_message": delivery.error_message,
        "error_type": delivery.error_type,
        "started_at": iso_utc(delivery.started_at),
        "completed_at": iso_utc(delivery.completed_at),
        "duration_ms": delivery.duration_ms,
        "retry_count": delivery.retry_count,
        "next_retry_at": iso_utc(delivery.next_retry_at),
    }
