"""Validation of a subscription's writable fields (integrations.md §1.1, §1.6) with the spec's
messages. Pure: the raw body in, clean values out, or a `ValidationError` naming every bad field.
Bounds the spec leaves open are platform validation (documented in the README)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from integrations.catalogue import SUBSCRIBABLE
from integrations.delivery.ssrf import is_forbidden, literal_address
from shared.errors import ValidationError
from shared.inputs import to_int

METHODS = ("POST", "PUT", "PATCH")
MAX_RETRIES = 20
MAX_RETRY_DELAY_SECONDS = 86_400
EVENTS_MESSAGE = "events must be a non-empty list"
# RFC 9110 field-name token; values without control characters (no header injection).
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_BAD_VALUE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
# Framing and routing headers httpx sets from the request itself.
RESERVED_HEADERS = frozenset({"host", "content-length", "transfer-encoding", "connection"})

NULL_MEANS_NULL = frozenset({"name", "url", "events", "description"})
WRITABLE = (
    "name",
    "description",
    "url",
    "events",
    "http_method",
    "content_type",
    "headers",
    "is_active",
    "user_id",
    "max_retries",
    "retry_delay_seconds",
    "timeout_seconds",
    "generate_secret",
)


class _Errors:
    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.fields.setdefault(field, []).append(message)

    def raise_any(self) -> None:
        if not self.fields:
            return
        messages = [m for ms in self.fields.values() for m in ms]
        raise ValidationError(self.fields, messages[0] if len(messages) == 1 else "Validation failed")


def url_problem(value: str, *, allow_private: bool) -> str | None:
    try:
        parts = urlsplit(value)
        host = parts.hostname
        parts.port  # noqa: B018 - raises on a port that is not a number in range
    except ValueError:
        return "Invalid URL format."
    if not parts.scheme or not host:
        return "Invalid URL format."
    if parts.scheme.lower() not in ("http", "https"):
        return "URL must use http or https."
    literal = literal_address(host)
    if literal is not None and not allow_private and is_forbidden(literal):
        return "URL must not point to a private, loopback or link-local address."
    return None


def _text(errors: _Errors, field: str, value: Any, *, max_length: int, required: bool) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.add(field, f"{field} is required")
        return None
    if not isinstance(value, str):
        errors.add(field, f"{field} must be a string")
        return None
    value = value.strip()
    if len(value) > max_length:
        errors.add(field, f"{field} must be at most {max_length} characters")
        return None
    return value


def _int(errors: _Errors, field: str, value: Any, low: int, high: int | None) -> int | None:
    try:
        number = to_int(value)
    except ValueError:
        number = None
    if number is None or number < low or (high is not None and number > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        errors.add(field, f"{field} must be an integer {bound}")
        return None
    return number


def _bool(errors: _Errors, field: str, value: Any) -> bool | None:
    if not isinstance(value, bool):
        errors.add(field, "Not a valid boolean.")
        return None
    return value


def _events(errors: _Errors, value: Any) -> list[str] | None:
    if not isinstance(value, list) or not value:
        errors.add("events", EVENTS_MESSAGE)
        return None
    clean: list[str] = []
    for name in value:
        if not isinstance(name, str) or name not in SUBSCRIBABLE:
            errors.add("events", f"Invalid event type: {name}")
            return None
        if name not in clean:
            clean.append(name)
    return clean


def _headers(errors: _Errors, value: Any) -> dict[str, str] | None:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        errors.add("headers", "headers must be an object of string values")
        return None
    for name, header_value in value.items():
        if not _TOKEN.match(name) or _BAD_VALUE.search(header_value):
            errors.add("headers", f"Invalid header: {name}")
            return None
        if name.lower() in RESERVED_HEADERS:
            errors.add("headers", f"Header {name} cannot be set")
            return None
    return dict(value)


def clean_fields(raw: dict[str, Any], *, creating: bool, allow_private: bool) -> dict[str, Any]:
    """The writable fields present in `raw` (all of them, with defaults, when `creating`)."""
    errors = _Errors()
    # A null for a field with a default means "not given" (it keeps its default or value).
    present = {key: raw[key] for key in WRITABLE if key in raw and (raw[key] is not None or key in NULL_MEANS_NULL)}
    out: dict[str, Any] = {}
    if creating or "name" in present:
        out["name"] = _text(errors, "name", present.get("name"), max_length=200, required=True)
    if "description" in present:
        value = present["description"]
        if value is not None and not isinstance(value, str):
            errors.add("description", "description must be a string")
        out["description"] = value.strip() or None if isinstance(value, str) else None
    if creating or "url" in present:
        url = _text(errors, "url", present.get("url"), max_length=500, required=True)
        if url is not None:
            problem = url_problem(url, allow_private=allow_private)
            if problem:
                errors.add("url", problem)
        out["url"] = url
    if creating or "events" in present:
        out["events"] = _events(errors, present.get("events"))
    if "http_method" in present:
        method = present["http_method"]
        if not isinstance(method, str) or method.strip().upper() not in METHODS:
            errors.add("http_method", "http_method must be one of POST, PUT, PATCH")
        else:
            out["http_method"] = method.strip().upper()
    if "content_type" in present:
        content_type = _text(errors, "content_type", present["content_type"], max_length=200, required=True)
        if content_type is not None and _BAD_VALUE.search(content_type):
            errors.add("content_type", "Invalid content type")
        out["content_type"] = content_type
    if "headers" in present:
        out["headers"] = _headers(errors, present["headers"])
    for field in ("is_active", "generate_secret"):
        if field in present:
            out[field] = _bool(errors, field, present[field])
    if "user_id" in present:
        out["user_id"] = _int(errors, "user_id", present["user_id"], 1, 2**31 - 1)
    if "max_retries" in present:
        out["max_retries"] = _int(errors, "max_retries", present["max_retries"], 0, MAX_RETRIES)
    if "retry_delay_seconds" in present:
        out["retry_delay_seconds"] = _int(
            errors, "retry_delay_seconds", present["retry_delay_seconds"], 1, MAX_RETRY_DELAY_SECONDS
        )
    if "timeout_seconds" in present:
        out["timeout_seconds"] = _int(errors, "timeout_seconds", present["timeout_seconds"], 1, 300)
    errors.raise_any()
    return out
