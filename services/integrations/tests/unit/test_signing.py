"""§1.4 headers and both signatures, checked the way a receiver verifies them."""

from __future__ import annotations

import base64
import hashlib
import hmac

from integrations.delivery.signing import attempt_headers

BODY = '{"event_type":"time_entry.created","ü":1}'.encode()


def headers(**overrides):
    fields = dict(
        content_type="application/json",
        event_type="time_entry.created",
        webhook_id=7,
        custom={},
        secret="s3cret",
        message_id="msg_1",
        timestamp=1_700_000_000,
        body=BODY,
    )
    fields.update(overrides)
    return attempt_headers(**fields)


def test_order_and_values():
    names = [name for name, _ in headers()]
    assert names == [
        "Content-Type",
        "User-Agent",
        "X-Webhook-Event",
        "X-Webhook-ID",
        "X-Webhook-Signature",
        "webhook-id",
        "webhook-timestamp",
        "webhook-signature",
    ]
    values = dict(headers())
    assert values["User-Agent"] == "TimeTracker-Webhook/1.0" and values["X-Webhook-ID"] == "7"


def test_legacy_signature_verifies():
    received = dict(headers())["X-Webhook-Signature"]
    expected = hmac.new(b"s3cret", BODY, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(received.removeprefix("sha256="), expected)
    assert received == received.lower()


def test_standard_webhooks_signature_verifies():
    values = dict(headers())
    signed = f"{values['webhook-id']}.{values['webhook-timestamp']}.".encode() + BODY
    expected = base64.b64encode(hmac.new(b"s3cret", signed, hashlib.sha256).digest()).decode()
    version, signature = values["webhook-signature"].split(",", 1)
    assert version == "v1" and hmac.compare_digest(signature, expected)


def test_custom_headers_override_the_first_four_but_never_the_signatures():
    custom = {
        "content-type": "text/plain",
        "X-Webhook-Event": "other",
        "x-webhook-signature": "forged",
        "Webhook-Signature": "forged",
        "webhook-id": "forged",
        "webhook-timestamp": "1",
        "X-Extra": "yes",
    }
    values = {name.lower(): value for name, value in headers(custom=custom)}
    assert values["content-type"] == "text/plain" and values["x-webhook-event"] == "other"
    assert values["x-extra"] == "yes"
    assert values["x-webhook-signature"].startswith("sha256=") and values["webhook-signature"].startswith("v1,")
    assert values["webhook-id"] == "msg_1" and values["webhook-timestamp"] == "1700000000"


def test_no_secret_no_signature():
    names = {name.lower() for name, _ in headers(secret=None)}
    assert "x-webhook-signature" not in names and "webhook-signature" not in names
    assert {"webhook-id", "webhook-timestamp"} <= names
