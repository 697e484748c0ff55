"""The gateway's own metrics (the HTTP ones are `shared.observability.metrics`) and the separate
listener that serves them all: `GET /metrics` on `TT_GATEWAY_METRICS_PORT`, never on the
public port. Port 0 serves none; a port already taken is logged and the gateway serves on
without metrics (a scrape failure shows it), rather than refusing traffic."""

from __future__ import annotations

import logging

from aiohttp import web
from prometheus_client import Counter, Gauge

from shared.observability.metrics import exposition

log = logging.getLogger(__name__)

RATE_LIMIT_DECISIONS = Counter(
    "tt_rate_limit_decisions",
    "Rate-limit decisions: allowed, limited (429), or error (the limiter failed; allowed).",
    ("decision", "kind"),
)
UPSTREAM_ERRORS = Counter(
    "tt_gateway_upstream_errors",
    "Requests the gateway could not get answered by their service, by reason: connect (503), "
    "not_loaded (503: its OpenAPI is not loaded), timeout / pool_timeout (504), bad_response (502), "
    "broken (the response broke off midway).",
    ("service", "reason"),
)
RATE_LIMIT_BACKEND = Gauge(
    "tt_rate_limit_backend",
    "1 for the limiter's current mode: redis (shared), local (no Redis configured) or local-fallback "
    "(Redis configured but unreachable: limits are per process until it answers).",
    ("mode",),
)
LIMITER_MODES = ("redis", "local", "local-fallback")
ROUTES_LOADED = Gauge(
    "tt_gateway_routes_loaded", "1 when a deployed service's OpenAPI (routes) is loaded.", ("service",)
)


def rate_limit_counters(kind: str) -> dict[bool | None, Counter]:
    """Children by `Decision.allowed` (None: the limiter failed), made once per stage."""
    return {
        True: RATE_LIMIT_DECISIONS.labels("allowed", kind),
        False: RATE_LIMIT_DECISIONS.labels("limited", kind),
        None: RATE_LIMIT_DECISIONS.labels("error", kind),
    }


async def _metrics(request: web.Request) -> web.Response:
    body, content_type = exposition()
    return web.Response(body=body, headers={"Content-Type": content_type})


class MetricsListener:
    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        if not self.port:
            return
        app = web.Application()
        app.router.add_get("/metrics", _metrics)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self.port).start()
        except OSError as exc:
            log.error("metrics not served: cannot listen on %s:%d (%s)", self.host, self.port, exc)
            await runner.cleanup()
            return
        self._runner = runner
        log.info("metrics on http://%s:%d/metrics", self.host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
