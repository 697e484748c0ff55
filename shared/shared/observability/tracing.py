"""W3C trace context for every process, and the optional OpenTelemetry exporter.

`setup(settings)` is the one place the process's tracing is decided: it installs the W3C
`traceparent` propagator globally (the event side injects and extracts with
`opentelemetry.propagate` through it) and, only when `TT_OTEL_EXPORTER` is `otlp` or `console`,
an SDK tracer provider exporting in batches. Exporter off (the default), no SDK is loaded and
no span is recorded: a request's `traceparent` is parsed (or made up) by hand, without a regex,
so its trace id still reaches the logs, the upstream service and the events it records.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass

from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.trace import NonRecordingSpan, Span, SpanContext, SpanKind, TraceFlags, Tracer
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from shared.observability.context import current_request

TRACEPARENT = "traceparent"
OTEL_EXPORTERS = ("none", "otlp", "console")
_HEX = frozenset("0123456789abcdef")
_SAMPLED = "01"

log = logging.getLogger(__name__)
_tracer: Tracer | None = None


@dataclass(frozen=True, slots=True)
class TraceParent:
    trace_id: str  # 32 lower-case hex digits
    span_id: str  # 16: the caller's span, parent of the next one
    flags: str  # 2

    @property
    def header(self) -> str:
        return f"00-{self.trace_id}-{self.span_id}-{self.flags}"


def _hex_id(value: str) -> bool:
    return _HEX.issuperset(value) and value.strip("0") != ""


def parse_traceparent(value: str | None) -> TraceParent | None:
    """`00-<trace id>-<span id>-<flags>` (later versions may append fields); None if invalid."""
    if value is None or len(value) < 55 or value[2] != "-" or value[35] != "-" or value[52] != "-":
        return None
    version, trace_id, span_id, flags = value[:2], value[3:35], value[36:52], value[53:55]
    if version == "ff" or not _HEX.issuperset(version) or not _HEX.issuperset(flags):
        return None
    if len(value) > 55 and (version == "00" or value[55] != "-"):
        return None
    if not (_hex_id(trace_id) and _hex_id(span_id)):
        return None
    return TraceParent(trace_id, span_id, flags)


def new_traceparent() -> TraceParent:
    """A fresh trace, sampled: whichever process exports spans keeps them."""
    return TraceParent(f"{random.getrandbits(128) or 1:032x}", f"{random.getrandbits(64) or 1:016x}", _SAMPLED)


def incoming(value: str | None) -> TraceParent:
    """The request's trace: the caller's if it sent a valid one, else a new one."""
    return parse_traceparent(value) or new_traceparent()


def remote_context(parent: TraceParent) -> Context:
    """An OpenTelemetry context whose current span is the caller's (nothing is recorded)."""
    span_context = SpanContext(
        int(parent.trace_id, 16), int(parent.span_id, 16), is_remote=True, trace_flags=TraceFlags(int(parent.flags, 16))
    )
    return trace.set_span_in_context(NonRecordingSpan(span_context))


def tracer() -> Tracer | None:
    """The exporting tracer, or None when the exporter is off."""
    return _tracer


def start_server_span(name: str, parent: TraceParent) -> Span:
    assert _tracer is not None, "start_server_span needs an exporter (tracing.setup)"
    return _tracer.start_span(name, context=remote_context(parent), kind=SpanKind.SERVER)


def span_traceparent(span: Span) -> TraceParent:
    ctx = span.get_span_context()
    return TraceParent(f"{ctx.trace_id:032x}", f"{ctx.span_id:016x}", f"{int(ctx.trace_flags):02x}")


def outgoing_headers() -> dict[str, str]:
    """For a call to another service made while serving a request: its request id and the
    current trace context, so the callee's lines join the same request and trace."""
    headers: dict[str, str] = {}
    propagate.inject(headers)
    request_id = current_request.get().request_id
    if request_id is not None:
        headers["x-request-id"] = request_id
    return headers


def setup(settings) -> None:
    """Install the propagator and, when `settings.otel_exporter` asks for one, the exporter.
    A process exports with the first settings it was set up with (OpenTelemetry allows one
    global tracer provider)."""
    global _tracer
    propagate.set_global_textmap(TraceContextTextMapPropagator())
    if settings.otel_exporter == "none" or _tracer is not None:
        return
    # Imported here: with the exporter off the SDK is never loaded.
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter

    provider = TracerProvider(resource=Resource.create({"service.name": f"tt-{settings.service_name}"}))
    if settings.otel_exporter == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter(endpoint=_traces_url(settings.otel_endpoint))
    else:
        exporter = ConsoleSpanExporter()
    provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    _tracer = trace.get_tracer("tt")
    log.info("tracing: exporting spans (%s)", settings.otel_exporter)


def _traces_url(endpoint: str | None) -> str | None:
    """`TT_OTEL_ENDPOINT` is the collector's base URL (`http://collector:4318`); None lets the
    exporter use its standard `OTEL_EXPORTER_OTLP_*` variables."""
    if not endpoint:
        return None
    endpoint = endpoint.rstrip("/")
    return endpoint if endpoint.endswith("/v1/traces") else endpoint + "/v1/traces"
