"""Process-wide logging: one handler on the root logger, JSON lines by default
(`TT_LOG_FORMAT=json|text`). Every line names the service and, inside a request, its request
and trace ids (inside a span, its trace id). Structured extras go in `extra={"fields": {...}}`
(the gateway's access log)."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from opentelemetry import trace

from shared.observability.context import RequestIds, current_request

LOG_FORMATS = ("json", "text")
# uvicorn configures these itself with handlers of its own; routed through ours instead.
_UVICORN_LOGGERS = ("uvicorn", "uvicorn.error")
# uvicorn's own access line stays off (`--no-access-log` leaves it no handler and no
# propagation, and uvicorn skips formatting when the logger has no handler): the gateway writes
# the one access line per request, and a line per request in every service costs CPU.
_UVICORN_ACCESS = "uvicorn.access"


def _ids() -> RequestIds:
    """The request's ids; outside a request, the trace of the current span if any (a consumer
    applying an event runs under the span of the request that recorded it)."""
    ids = current_request.get()
    if ids.trace_id is None:
        span_context = trace.get_current_span().get_span_context()
        if span_context.is_valid:
            return RequestIds(ids.request_id, f"{span_context.trace_id:032x}")
    return ids


def _timestamp(record: logging.LogRecord) -> str:
    return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": _timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "service": self.service,
        }
        request_id, trace_id = _ids()
        if request_id is not None:
            line["request_id"] = request_id
        if trace_id is not None:
            line["trace_id"] = trace_id
        fields = getattr(record, "fields", None)
        if fields:
            line.update(fields)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        # ensure_ascii off: a line reads (and greps) as the text that was logged
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """For people reading a terminal: the same content on one plain line."""

    def __init__(self, service: str) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        request_id, trace_id = _ids()
        extras = dict(getattr(record, "fields", None) or {})
        if request_id is not None:
            extras["request_id"] = request_id
        if trace_id is not None:
            extras["trace_id"] = trace_id
        if not extras:
            return text
        head, sep, tail = text.partition("\n")  # a traceback stays below the line
        return head + " " + " ".join(f"{k}={v}" for k, v in extras.items()) + sep + tail


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever `sys.stderr` is at the time (test runners swap it)."""

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def setup_logging(*, service: str, level: str, log_format: str) -> None:
    """Replace the handler a previous call installed (an app built twice in one process)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, _StderrHandler):
            root.removeHandler(handler)
    handler = _StderrHandler()
    handler.setFormatter(JsonFormatter(service) if log_format == "json" else TextFormatter(service))
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in _UVICORN_LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    access = logging.getLogger(_UVICORN_ACCESS)
    access.handlers.clear()
    access.propagate = False
