"""Wire shapes of the webhook resource (integrations.md §1.1, §1.5, §1.6).

Request bodies are read leniently (any JSON object; unknown keys ignored) and checked by
`rules.clean_fields`, which gives the spec's messages; the field types below document them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


def _doc(kind: str, text: str) -> Any:
    return Field(default=None, description=text, json_schema_extra={"type": kind})


class WebhookWrite(BaseModel):
    """POST (name, url, events required) and PUT/PATCH (only the keys present change)."""

    model_config = ConfigDict(extra="allow")

    name: Any = _doc("string", "required, ≤ 200 characters")
    description: Any = _doc("string", "")
    url: Any = _doc("string", "required, ≤ 500, http or https with a host")
    events: Any = _doc("array", "non-empty list of catalogue names or `*`")
    http_method: Any = _doc("string", "POST (default), PUT or PATCH")
    content_type: Any = _doc("string", "sent as Content-Type (default application/json)")
    headers: Any = _doc("object", "extra request headers (string → string)")
    is_active: Any = _doc("boolean", "default true")
    user_id: Any = _doc("integer", "owner (default: the caller; another user: admins only)")
    max_retries: Any = _doc("integer", "0–20, default 3")
    retry_delay_seconds: Any = _doc("integer", "1–86400, default 60; base of the exponential backoff")
    timeout_seconds: Any = _doc("integer", "1–300, default 30")
    generate_secret: Any = _doc("boolean", "create: default true; update: true replaces the secret")

    def raw(self) -> dict[str, Any]:
        """The keys the client sent, as sent."""
        return {key: getattr(self, key) for key in self.model_fields_set}


class WebhookRead(BaseModel):
    id: int
    name: str
    description: str | None
    url: str
    events: list[str]
    http_method: str
    content_type: str
    headers: dict[str, str]
    is_active: bool
    user_id: int
    max_retries: int
    retry_delay_seconds: int
    timeout_seconds: int
    total_deliveries: int
    successful_deliveries: int
    failed_deliveries: int
    last_delivery_at: str | None
    last_success_at: str | None
    last_failure_at: str | None
    created_at: str
    updated_at: str
    secret: str | None = Field(default=None, description="only when created or regenerated")


class DeliveryRead(BaseModel):
    id: int
    webhook_id: int
    event_type: str
    event_id: str
    status: str
    attempt_number: int
    response_status_code: int | None
    error_message: str | None
    error_type: str | None
    started_at: str | None
    completed_at: str | None
    duration_ms: int | None
    retry_count: int
    next_retry_at: str | None


class WebhookEnvelope(BaseModel):
    webhook: WebhookRead


class WebhookMessageEnvelope(BaseModel):
    message: str
    webhook: WebhookRead


class WebhookList(BaseModel):
    webhooks: list[WebhookRead]
    pagination: dict[str, Any]


class DeliveryList(BaseModel):
    deliveries: list[DeliveryRead]
    pagination: dict[str, Any]


class DeliveryAttemptResult(BaseModel):
    """The test action and a manual redelivery: the attempt made inside the request."""

    success: bool
    delivery: DeliveryRead
    message: str


class EventCatalogue(BaseModel):
    events: list[str]


class MessageResponse(BaseModel):
    message: str
