"""The gateway's own unauthenticated endpoints: `/api/v1/info`, `/api/v1/health`
(CONVENTIONS §10.1–10.2) and the process probes `/healthz`, `/readyz`."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import orjson
from starlette.types import Receive, Scope, Send

from gateway.events import TokenEvents
from gateway.http import send_json
from gateway.internal import InternalClient
from gateway.limiter import RateLimiter
from gateway.routes.registry import RouteRegistry
from gateway.settings import GatewaySettings

log = logging.getLogger(__name__)

CORE_MODULES = ["auth", "main", "projects", "timer", "tasks"]

# CONVENTIONS §10.1: `endpoints` under upstream's names, by the service that serves each path. A
# service that is not deployed contributes nothing: a client following an entry never meets a 404.
SERVICE_ENDPOINTS: dict[str, dict[str, Any]] = {
    "auth": {
        "users": "/api/v1/users",
    },
    "tracking": {
        "projects": "/api/v1/projects",
        "time_entries": "/api/v1/time-entries",
        "tasks": "/api/v1/tasks",
        "time_entry_approvals": "/api/v1/time-entry-approvals",
        "favorites": "/api/v1/users/me/favorites/projects",
    },
    "crm": {
        "clients": "/api/v1/clients",
        "deals": "/api/v1/deals",
        "leads": "/api/v1/leads",
        "contacts": "/api/v1/clients/<client_id>/contacts",
        "client_notes": "/api/v1/clients/<client_id>/notes",
        "quotes": "/api/v1/quotes",
    },
    "reporting": {
        "reports": "/api/v1/reports/summary",
        "payroll_export": "/api/v1/exports/payroll",
        "search": "/api/v1/search",
    },
    "integrations": {
        "webhooks": "/api/v1/webhooks",
    },
    "inventory": {
        "inventory": {
            "items": "/api/v1/inventory/items",
            "warehouses": "/api/v1/inventory/warehouses",
            "stock_levels": "/api/v1/inventory/stock-levels",
            "movements": "/api/v1/inventory/movements",
            "transfers": "/api/v1/inventory/transfers",
            "reports": {
                "valuation": "/api/v1/inventory/reports/valuation",
                "movement_history": "/api/v1/inventory/reports/movement-history",
                "turnover": "/api/v1/inventory/reports/turnover",
                "low_stock": "/api/v1/inventory/reports/low-stock",
            },
        },
    },
}


def deployed_endpoints(services: Iterable[str]) -> dict[str, Any]:
    """`/api/v1/info`'s `endpoints`: the entries of the given (deployed) services."""
    return {name: path for service in services for name, path in SERVICE_ENDPOINTS[service].items()}


def advertised_paths(endpoints: dict[str, Any]) -> Iterator[str]:
    """Every path an `endpoints` map names, its nested groups (inventory's) flattened."""
    for value in endpoints.values():
        if isinstance(value, dict):
            yield from advertised_paths(value)
        else:
            yield value


def utc_now_iso() -> str:
    """CONVENTIONS §6.3: UTC with `Z`, fraction only when non-zero."""
    now = datetime.now(UTC)
    text = now.strftime("%Y-%m-%dT%H:%M:%S")
    return f"{text}.{now.microsecond:06d}Z" if now.microsecond else f"{text}Z"


class SystemEndpoints:
    def __init__(
        self,
        settings: GatewaySettings,
        *,
        internal: InternalClient,
        registry: RouteRegistry,
        limiter: RateLimiter,
        events: TokenEvents,
    ) -> None:
        self.settings = settings
        self.internal = internal
        self.registry = registry
        self.limiter = limiter
        self.events = events
        self._info_static = {
            "api_version": "v1",
            "app_version": settings.app_version,
            "setup_required": False,
            "documentation_url": "/api/docs",
            "authentication": "API Token (Bearer or X-API-Key header)",
            "endpoints": deployed_endpoints(settings.service_urls()),
            "timezone": settings.timezone,
        }
        self._modules: list[str] | None = None
        self._modules_at = float("-inf")
        self._modules_lock = asyncio.Lock()
        self._services_status: dict[str, str] = {}
        self._services_at = float("-inf")
        self._services_lock = asyncio.Lock()
        self.routes: dict[str, dict[str, Any]] = {
            "/api/v1/info": {"GET": self.info},
            "/api/v1/health": {"GET": self.health},
            "/healthz": {"GET": self.healthz},
            "/readyz": {"GET": self.readyz},
        }

    async def info(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = {**self._info_static, "enabled_modules": await self.enabled_modules()}
        await send_json(scope, send, 200, body)

    async def enabled_modules(self) -> list[str]:
        """Auth's `/internal/modules`, cached; last known value while auth is down."""
        if time.monotonic() - self._modules_at < self.settings.modules_cache_seconds:
            return self._modules or list(CORE_MODULES)
        async with self._modules_lock:
            if time.monotonic() - self._modules_at >= self.settings.modules_cache_seconds:
                await self._refresh_modules()
        return self._modules or list(CORE_MODULES)

    async def _refresh_modules(self) -> None:
        auth_url = self.settings.auth_url
        # Retry soon when auth did not answer; keep the last known list meanwhile.
        self._modules_at = time.monotonic() - self.settings.modules_cache_seconds + 2.0
        if auth_url is None:
            return
        try:
            response = await self.internal.get(
                f"{auth_url}/internal/modules", timeout=self.settings.health_timeout_seconds
            )
            modules = orjson.loads(response.content).get("enabled_modules") if response.status_code == 200 else None
        except Exception as exc:  # noqa: BLE001 - info must answer even when auth is down
            log.info("enabled modules not refreshed: %s", exc)
            return
        if isinstance(modules, list):
            self._modules = [str(m) for m in modules]
            self._modules_at = time.monotonic()

    async def health(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = {"status": "healthy", "timestamp": utc_now_iso(), "services": await self.services_status()}
        await send_json(scope, send, 200, body)

    async def services_status(self) -> dict[str, str]:
        """Each deployed service's `/readyz`, checked concurrently, cached for a second."""
        if time.monotonic() - self._services_at < 1.0:
            return self._services_status
        async with self._services_lock:
            if time.monotonic() - self._services_at >= 1.0:
                urls = self.settings.service_urls()
                results = await asyncio.gather(*(self._ready(url) for url in urls.values()))
                statuses = ("ready" if ok else "unavailable" for ok in results)
                self._services_status = dict(zip(urls, statuses, strict=True))
                self._services_at = time.monotonic()
        return self._services_status

    async def _ready(self, url: str) -> bool:
        try:
            response = await self.internal.get(
                f"{url}/readyz", signed=False, timeout=self.settings.health_timeout_seconds
            )
        except Exception:  # noqa: BLE001 - unreachable = unavailable
            return False
        return response.status_code == 200

    async def healthz(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send_json(scope, send, 200, {"status": "ok", "service": "gateway"})

    async def readyz(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Ready once the auth service's routes are known (nothing authenticates before)."""
        routes = {name: s.loaded for name, s in self.registry.services.items()}
        ready = routes.get("auth", True)
        body = {
            "status": "ready" if ready else "unavailable",
            "service": "gateway",
            "checks": {
                "routes": routes,
                "rate_limits": self.limiter.mode,
                "token_events": self.events.connected,
            },
        }
        await send_json(scope, send, 200 if ready else 503, body)
