"""Pure token rules: generation and hashing (CONVENTIONS §2.1), the scope catalogue (§3.1),
IP whitelist parsing."""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import secrets

TOKEN_PREFIX = "tt_"
TOKEN_BODY_LENGTH = 32
DISPLAY_PREFIX_LENGTH = 8

_RESOURCES_READ_WRITE = (
    "projects", "time_entries", "tasks", "clients", "quotes", "contacts", "deals", "leads",
    "time_approvals", "inventory", "webhooks", "reports", "invoices", "expenses", "payments",
    "mileage", "per_diem", "budget_alerts", "calendar", "filters", "comments",
    "recurring_invoices", "ai",
)  # fmt: skip
WILDCARD_SCOPES = frozenset({"read:*", "write:*", "admin:*", "*"})
SCOPE_CATALOGUE = frozenset(
    {f"read:{r}" for r in _RESOURCES_READ_WRITE}
    | {f"write:{r}" for r in _RESOURCES_READ_WRITE}
    | {"read:users", "admin:all"}
    | WILDCARD_SCOPES
)

ADMIN_LOGIN_SCOPES = "admin:all"
USER_LOGIN_SCOPES = "read:*,write:*"


def generate_token() -> str:
    """`tt_` + the first 32 characters of URL-safe base64 of 32 random bytes (no padding)."""
    body = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode("ascii")
    return TOKEN_PREFIX + body[:TOKEN_BODY_LENGTH]


def hash_token(token: str) -> str:
    """Lower-case hex SHA-256 of the full plain token (prefix included), UTF-8."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def display_prefix(token: str) -> str:
    return token[:DISPLAY_PREFIX_LENGTH]


def parse_scope_input(raw: str | list[str] | None) -> list[str]:
    """Comma string or list → trimmed, de-duplicated scopes in the given order."""
    if raw is None:
        return []
    items = raw.split(",") if isinstance(raw, str) else raw
    seen: dict[str, None] = {}
    for item in items:
        if isinstance(item, str) and item.strip():
            seen.setdefault(item.strip(), None)
    return list(seen)


def unknown_scopes(scopes: list[str]) -> list[str]:
    return [s for s in scopes if s not in SCOPE_CATALOGUE]


def login_scopes(is_admin: bool) -> str:
    return ADMIN_LOGIN_SCOPES if is_admin else USER_LOGIN_SCOPES


def parse_ip_whitelist(raw: str | None) -> tuple[str | None, list[str]]:
    """Comma list of IPs / CIDR blocks → (normalized comma string or None, invalid entries)."""
    if raw is None:
        return None, []
    entries = [part.strip() for part in raw.split(",") if part.strip()]
    invalid = []
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            invalid.append(entry)
    return (",".join(entries) or None), invalid
