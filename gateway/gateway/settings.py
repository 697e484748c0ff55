"""The gateway's configuration: `TT_` environment variables, read once in `create_app`."""

from __future__ import annotations

from pydantic import field_validator

from shared.settings import SERVICES, PlatformSettings

__all__ = ["SERVICES", "GatewaySettings"]


class GatewaySettings(PlatformSettings):
    service_name: str = "gateway"
    gateway_port: int = 8000
    # Prometheus scrapes GET /metrics here, on the bind host; never on the public port. 0: none.
    gateway_metrics_port: int = 9100
    # The address both listeners bind (TT_BIND_HOST).
    bind_host: str = "127.0.0.1"

    # The other services' URLs come from the base settings; auth is expected by default.
    auth_url: str | None = "http://127.0.0.1:8001"

    # None: process-local rate limits only (a single gateway process).
    redis_url: str | None = None
    redis_timeout_seconds: float = 0.1
    redis_probe_seconds: float = 0.5
    # Bound of the limiter's connection pool (each EVALSHA holds one connection for ~0.2 ms). Small on
    # purpose: a burst of requests at start-up opens this many connections at once, each within
    # `redis_timeout_seconds`; 32 at once sometimes missed 0.1 s on a loaded 2-core host.
    redis_max_connections: int = 8
    rate_limit_key_prefix: str = "tt:rl"
    rate_limit_per_minute: int = 100
    rate_limit_per_hour: int = 1000
    login_rate_limit_per_minute: int = 5

    token_cache_ttl_seconds: float = 10.0
    # Used instead while the revocation-event subscription is down, so revocation stays bounded.
    token_cache_ttl_disconnected_seconds: float = 1.0
    token_negative_cache_seconds: float = 2.0
    token_cache_max_entries: int = 10_000

    # The proxy's aiohttp client: connect = the socket connect; pool = waiting for a pooled
    # connection plus opening one; read = each read.
    upstream_connect_timeout: float = 1.0
    upstream_read_timeout: float = 30.0
    upstream_pool_timeout: float = 5.0
    upstream_max_connections: int = 512
    # Introspection, usage flush, modules, readiness and OpenAPI fetches.
    internal_timeout_seconds: float = 2.0
    health_timeout_seconds: float = 0.5

    routes_retry_seconds: float = 1.0
    routes_refresh_seconds: float = 60.0
    usage_flush_seconds: float = 2.0
    modules_cache_seconds: float = 30.0

    timezone: str = "Europe/Rome"
    trust_forwarded_for: bool = False

    @field_validator("redis_url")
    @classmethod
    def _no_redis_when_empty(cls, value: str | None) -> str | None:
        return value.strip() if value and value.strip() else None

    @field_validator("rate_limit_per_minute", "rate_limit_per_hour", "login_rate_limit_per_minute")
    @classmethod
    def _at_least_one(cls, value: int) -> int:
        if value < 1:
            raise ValueError("a whole number of requests, 1 or more")
        return value
