"""Request headers of an attempt (integrations.md §1.4), in the spec's order (later wins,
compared case-insensitively), and both signatures:

- `X-Webhook-Signature: sha256=<hex>`: lowercase hex HMAC-SHA256 of the body bytes;
- Standard Webhooks: `webhook-id` (the delivery's stable id), `webhook-timestamp` (unix seconds of
  the attempt) and `webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`.

Both are keyed with the secret's UTF-8 bytes; neither (nor the signed id and timestamp) can be
overridden by the subscription's custom headers. No secret: no signature (`webhook-id` and
`webhook-timestamp` are still sent, for de-duplication)."""

from __future__ import annotations

import base64
import hashlib
import hmac

USER_AGENT = "TimeTracker-Webhook/1.0"
# Set by the platform after the custom headers: a custom header of the same name is dropped.
SIGNING_HEADERS = ("X-Webhook-Signature", "webhook-id", "webhook-timestamp", "webhook-signature")


def legacy_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def standard_signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


class _Headers:
    """Ordered, case-insensitive: setting a name again replaces the earlier value in place."""

    def __init__(self) -> None:
        self._items: dict[str, tuple[str, str]] = {}

    def set(self, name: str, value: str) -> None:
        key = name.lower()
        if key in self._items:
            del self._items[key]
        self._items[key] = (name, value)

    def items(self) -> list[tuple[str, str]]:
        return list(self._items.values())


def attempt_headers(
    *,
    content_type: str,
    event_type: str,
    webhook_id: int,
    custom: dict[str, str],
    secret: str | None,
    message_id: str,
    timestamp: int,
    body: bytes,
) -> list[tuple[str, str]]:
    headers = _Headers()
    headers.set("Content-Type", content_type)
    headers.set("User-Agent", USER_AGENT)
    headers.set("X-Webhook-Event", event_type)
    headers.set("X-Webhook-ID", str(webhook_id))
    reserved = {name.lower() for name in SIGNING_HEADERS}
    for name, value in custom.items():
        if name.lower() not in reserved:
            headers.set(name, value)
    if secret:
        headers.set("X-Webhook-Signature", legacy_signature(secret, body))
    headers.set("webhook-id", message_id)
    headers.set("webhook-timestamp", str(timestamp))
    if secret:
        headers.set("webhook-signature", standard_signature(secret, message_id, timestamp, body))
    return headers.items()
