"""Prometheus metrics on the client's default registry, so one exposition serves every metric
of the process (HTTP here, the event side's in `shared.events`, the gateway's own).

Label children are cached per (route, method, status): recording a request is one dict lookup
plus an increment and an observation. `route` is always a template (`/api/v1/projects/{project_id}`)
or `unmatched`, and unknown methods are `other`: the label sets stay bounded whatever clients send.
"""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Histogram, generate_latest

UNMATCHED = "unmatched"
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# From well under a millisecond (the gateway's own answers) to the slow reports.
DURATION_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

HTTP_REQUESTS = Counter(
    "tt_http_requests",
    "HTTP requests answered, by route template, method and status.",
    ("service", "route", "method", "status"),
)
HTTP_DURATION = Histogram(
    "tt_http_request_duration_seconds",
    "Time from a request's arrival to its last response byte, by route template and method.",
    ("service", "route", "method"),
    buckets=DURATION_BUCKETS,
)


class HttpMetrics:
    """Records the requests one process answers, as `service`."""

    def __init__(self, service: str) -> None:
        self.service = service
        self._children: dict[tuple[str, str, int], tuple] = {}

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        key = (route, method, status)
        children = self._children.get(key)
        if children is None:
            label = method if method in _METHODS else "other"
            children = self._children[key] = (
                HTTP_REQUESTS.labels(self.service, route, label, str(status)),
                HTTP_DURATION.labels(self.service, route, label),
            )
        children[0].inc()
        children[1].observe(seconds)


def exposition() -> tuple[bytes, str]:
    """The process's metrics in the text format, and its content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
