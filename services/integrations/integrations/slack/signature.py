"""Slack request signatures (integrations.md §4.4): `v0=` + hex HMAC-SHA256 of
`v0:<timestamp>:<raw body>` under the app's signing secret, with the timestamp within five
minutes of our clock either way so a captured request cannot be replayed later."""

from __future__ import annotations

import hashlib
import hmac

MAX_SKEW_SECONDS = 300
VERSION = "v0"


def timestamp_of(raw: str | None, *, now: float) -> int | None:
    """The request's timestamp when it is an integer within the allowed skew, else None."""
    if raw is None or not raw.strip().lstrip("-").isdigit():
        return None
    value = int(raw.strip())
    return value if abs(now - value) <= MAX_SKEW_SECONDS else None


def expected(secret: str, timestamp: int, body: bytes) -> str:
    base = f"{VERSION}:{timestamp}:".encode() + body
    return f"{VERSION}=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def verifies(secret: str | None, timestamp: int, body: bytes, signature: str) -> bool:
    """Constant-time comparison; an integration without a secret never verifies."""
    if not secret:
        return False
    return hmac.compare_digest(expected(secret, timestamp, body).encode(), signature.encode())
