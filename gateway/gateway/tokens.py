"""API tokens as the gateway sees them: extraction (CONVENTIONS §2.2), introspection through
the auth service, and the in-process cache that revocation events evict.

Positive entries live `token_cache_ttl_seconds` while the event subscription is up and only
`token_cache_ttl_disconnected_seconds` while it is not (events may be missed then); negative
entries live briefly. Expiry is checked on every request, never cached. Concurrent lookups of
one uncached token share a single introspection call.
"""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from shared.identity import Identity, IdentityCodec, parse_scopes

log = logging.getLogger(__name__)

TOKEN_PREFIX = "tt_"
_AUTH_SCHEMES = ("bearer", "token")
_IDENTITIES_PER_TOKEN = 8

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def extract_token(authorization: str | None, api_key: str | None) -> str | None:
    """§2.2: a well-formed `Authorization: Bearer|Token <t>` wins (even if `<t>` is invalid);
    anything else in `Authorization` is ignored in favour of `X-API-Key`."""
    if authorization:
        parts = authorization.split()
        if len(parts) == 2 and parts[0].lower() in _AUTH_SCHEMES:
            return parts[1]
    if api_key:
        return api_key
    return None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def parse_allow_list(raw: str | None) -> tuple[Network, ...] | None:
    """Comma list of IPs / CIDR blocks → networks; None when no allow-list is set.
    Entries that do not parse match nothing (the token stays locked down, never opens up)."""
    if raw is None or not raw.strip():
        return None
    networks = []
    for item in raw.split(","):
        item = item.strip()
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            log.warning("ignoring unparseable ip_whitelist entry %r", item)
    return tuple(networks)


def ip_allowed(networks: tuple[Network, ...], client_ip: str) -> bool:
    try:
        addr = ipaddress.ip_address(client_ip)
    except ValueError:
        return False
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    return any(addr in net for net in networks)


def _epoch(value: Any) -> float | None:
    if not value:
        return None
    moment = datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


@dataclass(slots=True)
class TokenRecord:
    """One token row plus its user, as introspected."""

    token_id: int
    user_id: int | None
    scopes: tuple[str, ...]
    is_active: bool
    expires_at: float | None
    networks: tuple[Network, ...] | None
    user_found: bool
    user_active: bool
    username: str | None
    is_admin: bool
    role: str | None = None
    client_ids: tuple[int, ...] = ()
    modules_off: tuple[str, ...] = ()
    _identities: dict[str, tuple[float, str]] = field(default_factory=dict)

    @classmethod
    def from_introspection(cls, body: dict[str, Any]) -> TokenRecord:
        token = body["token"]
        user = body.get("user") or None
        return cls(
            token_id=int(token["id"]),
            user_id=token.get("user_id"),
            scopes=tuple(parse_scopes(token.get("scopes"))),
            is_active=bool(token.get("is_active", True)),
            expires_at=_epoch(token.get("expires_at")),
            networks=parse_allow_list(token.get("ip_whitelist")),
            user_found=user is not None,
            user_active=bool(user and user.get("is_active", True)),
            username=user.get("username") if user else None,
            is_admin=bool(user and user.get("is_admin")),
            role=user.get("role") if user else None,
            client_ids=tuple(user.get("assigned_client_ids") or ()) if user else (),
            modules_off=tuple(user.get("modules_off") or ()) if user else (),
        )

    def identity(self, codec: IdentityCodec, client_ip: str, now: float) -> str:
        """The signed identity to forward, reused for three quarters of its lifetime."""
        hit = self._identities.get(client_ip)
        if hit is not None and hit[0] > now:
            return hit[1]
        value = codec.sign(
            Identity(
                user_id=self.user_id,
                username=self.username,
                is_admin=self.is_admin,
                scopes=self.scopes,
                token_id=self.token_id,
                client_ip=client_ip,
                role=self.role,
                client_ids=self.client_ids,
                modules_off=self.modules_off,
            )
        )
        if len(self._identities) >= _IDENTITIES_PER_TOKEN:
            self._identities.clear()
        self._identities[client_ip] = (now + codec.ttl_seconds * 0.75, value)
        return value


class IntrospectionError(Exception):
    """The auth service could not answer; carries the gateway status to use (502/503/504)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


Introspect = Callable[[str], Any]  # async (token_hash) -> introspection body


class TokenCache:
    def __init__(
        self,
        introspect: Introspect,
        *,
        ttl: float = 10.0,
        disconnected_ttl: float = 1.0,
        negative_ttl: float = 2.0,
        max_entries: int = 10_000,
        events_connected: Callable[[], bool] = lambda: False,
    ) -> None:
        self._introspect = introspect
        self.ttl = ttl
        self.disconnected_ttl = min(ttl, disconnected_ttl)
        self.negative_ttl = negative_ttl
        self.max_entries = max_entries
        self.events_connected = events_connected
        self._positive: dict[str, tuple[float, TokenRecord]] = {}
        self._negative: dict[str, float] = {}
        self._by_token: dict[int, str] = {}
        self._by_user: dict[int, set[str]] = {}
        self._inflight: dict[str, asyncio.Future[TokenRecord | None]] = {}
        self._generation = 0

    async def lookup(self, digest: str) -> TokenRecord | None:
        """The token with this hash, or None when the auth service has no such token."""
        now = time.monotonic()
        hit = self._positive.get(digest)
        if hit is not None:
            if hit[0] > now:
                return hit[1]
            self._drop(digest)
        negative = self._negative.get(digest)
        if negative is not None:
            if negative > now:
                return None
            del self._negative[digest]
        task = self._inflight.get(digest)
        if task is None:
            # Its own task: a requester that goes away does not cancel the others' lookup.
            task = asyncio.ensure_future(self._fetch(digest))
            self._inflight[digest] = task
            task.add_done_callback(lambda done: self._fetched(digest, done))
        return await asyncio.shield(task)

    def _fetched(self, digest: str, task: asyncio.Future[TokenRecord | None]) -> None:
        if self._inflight.get(digest) is task:
            del self._inflight[digest]
        if not task.cancelled():
            task.exception()  # retrieved here so an unawaited failure is not logged twice

    async def _fetch(self, digest: str) -> TokenRecord | None:
        generation = self._generation
        body = await self._introspect(digest)
        try:
            record = TokenRecord.from_introspection(body) if body.get("found") else None
        except (KeyError, TypeError, ValueError) as exc:
            raise IntrospectionError(502, "Token introspection returned an unexpected body") from exc
        if generation == self._generation:  # no eviction raced with this call
            self._store(digest, record)
        return record

    def _store(self, digest: str, record: TokenRecord | None) -> None:
        now = time.monotonic()
        if record is None:
            if len(self._negative) >= self.max_entries:
                self._negative.clear()
            self._negative[digest] = now + self.negative_ttl
            return
        while len(self._positive) >= self.max_entries:
            self._drop(next(iter(self._positive)))
        ttl = self.ttl if self.events_connected() else self.disconnected_ttl
        self._positive[digest] = (now + ttl, record)
        self._by_token[record.token_id] = digest
        if record.user_id is not None:
            self._by_user.setdefault(record.user_id, set()).add(digest)

    def _drop(self, digest: str) -> None:
        hit = self._positive.pop(digest, None)
        if hit is None:
            return
        record = hit[1]
        if self._by_token.get(record.token_id) == digest:
            del self._by_token[record.token_id]
        if record.user_id is not None:
            digests = self._by_user.get(record.user_id)
            if digests is not None:
                digests.discard(digest)
                if not digests:
                    del self._by_user[record.user_id]

    def _invalidate(self) -> None:
        """Lookups in flight may have read auth before the change: later requests must not
        join them (their callers, who came before the change, still get their answer)."""
        self._generation += 1
        self._inflight.clear()

    def evict_token(self, token_id: int) -> None:
        self._invalidate()
        digest = self._by_token.get(token_id)
        if digest is not None:
            self._drop(digest)

    def evict_user(self, user_id: int) -> None:
        self._invalidate()
        for digest in list(self._by_user.get(user_id, ())):
            self._drop(digest)

    def apply_change(self, header: str) -> None:
        """Auth's `x-tt-credentials-changed` (`token=<id>`, `user=<id>`, comma-separated)."""
        for item in header.split(","):
            kind, _, value = item.strip().partition("=")
            if not value.isdigit():
                continue
            if kind == "token":
                self.evict_token(int(value))
            elif kind == "user":
                self.evict_user(int(value))

    def forget_unknown(self) -> None:
        """A token was created: no negative entry may hide it."""
        self._invalidate()
        self._negative.clear()

    def clear(self) -> None:
        self._invalidate()
        self._positive.clear()
        self._negative.clear()
        self._by_token.clear()
        self._by_user.clear()

    def __len__(self) -> int:
        return len(self._positive)
