"""W3C trace context across the outbox: taken from the recording request, sent as NATS headers,
and the parent of the consumer's span, so one trace runs gateway → service → consumer.

Only the OpenTelemetry API is used here; without an SDK installed it does nothing, and an event
recorded outside any trace carries no header and is applied without a span (nothing to join)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from contextlib import AbstractContextManager as ContextManager

from opentelemetry import propagate, trace
from opentelemetry.trace import Link, SpanKind

from shared.events.envelope import EventEnvelope

TRACEPARENT = "traceparent"
_tracer = trace.get_tracer("shared.events")


def current_trace_headers() -> dict[str, str]:
    """The current trace context as headers (`traceparent`, `tracestate`); empty outside a trace."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


def traced(headers: dict[str, str] | None) -> bool:
    return bool(headers) and TRACEPARENT in headers


def applying(envelope: EventEnvelope, headers: dict[str, str] | None) -> ContextManager:
    """One event's handler runs under a consumer span, child of the span that recorded it."""
    if not traced(headers):
        return contextlib.nullcontext()
    return _tracer.start_as_current_span(
        f"apply {envelope.type}",
        context=propagate.extract(headers),
        kind=SpanKind.CONSUMER,
        attributes={"messaging.message.id": envelope.id, "messaging.destination.name": envelope.type},
    )


def applying_batch(consumer: str, headers: Iterable[dict[str, str]], count: int) -> ContextManager:
    """A batch handler serves many traces at once: its span links to each event's parent."""
    links = [Link(trace.get_current_span(propagate.extract(h)).get_span_context()) for h in headers if traced(h)]
    if not links:
        return contextlib.nullcontext()
    return _tracer.start_as_current_span(
        f"apply batch {consumer}",
        kind=SpanKind.CONSUMER,
        links=links,
        attributes={"messaging.batch.message_count": count},
    )
