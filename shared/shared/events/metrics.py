"""Event-side metrics, on prometheus-client's default registry (served by `/metrics`).

Labelled children are looked up once per relay or consumer and counted once per batch: the
per-event cost stays an attribute read."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

OUTBOX_BACKLOG = Gauge("tt_outbox_backlog", "Outbox rows not yet published to the stream", ["service"])
OUTBOX_OLDEST_AGE = Gauge(
    "tt_outbox_oldest_age_seconds", "Age of the oldest unpublished outbox row (0 when none)", ["service"]
)
CONSUMER_LAG = Gauge(
    "tt_consumer_lag", "Stream messages the durable consumer has yet to receive (num_pending)", ["service", "consumer"]
)
CONSUMER_REDELIVERIES = Counter(
    "tt_consumer_redeliveries_total", "Messages received again (num_delivered > 1)", ["service", "consumer"]
)
CONSUMER_DEAD_LETTERS = Counter(
    "tt_consumer_dead_letters_total", "Events moved to the dead-letter stream", ["service", "consumer"]
)
EVENTS_APPLIED = Counter(
    "tt_events_applied_total", "Events applied by a consumer (redeliveries not counted)", ["service", "consumer"]
)


class OutboxMetrics:
    def __init__(self, service: str) -> None:
        self.backlog = OUTBOX_BACKLOG.labels(service=service)
        self.oldest_age = OUTBOX_OLDEST_AGE.labels(service=service)

    def observe(self, backlog: int, oldest_age_seconds: float) -> None:
        self.backlog.set(backlog)
        self.oldest_age.set(oldest_age_seconds if backlog else 0)


class ConsumerMetrics:
    def __init__(self, service: str, consumer: str) -> None:
        labels = {"service": service, "consumer": consumer}
        self.lag = CONSUMER_LAG.labels(**labels)
        self.redeliveries = CONSUMER_REDELIVERIES.labels(**labels)
        self.dead_letters = CONSUMER_DEAD_LETTERS.labels(**labels)
        self.applied = EVENTS_APPLIED.labels(**labels)
