"""Trace-context parsing, the log formatters and the HTTP metrics' labels: pure functions."""

import json
import logging

from opentelemetry import context as otel_context
from prometheus_client import REGISTRY

from shared.observability.context import RequestIds, current_request
from shared.observability.logs import JsonFormatter, TextFormatter, setup_logging
from shared.observability.metrics import HttpMetrics
from shared.observability.tracing import (
    TraceParent,
    incoming,
    outgoing_headers,
    parse_traceparent,
    remote_context,
)

VALID = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


class TestTraceparent:
    def test_a_valid_header_gives_its_ids(self):
        assert parse_traceparent(VALID) == TraceParent("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", "01")

    def test_header_round_trips(self):
        assert parse_traceparent(VALID).header == VALID

    def test_malformed_headers_are_refused(self):
        for bad in (
            "",
            VALID[:-1],
            VALID + "-",  # version 00 has exactly four fields
            VALID.upper(),
            "ff" + VALID[2:],
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",
            "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        ):
            assert parse_traceparent(bad) is None, bad

    def test_a_later_version_may_append_fields(self):
        assert parse_traceparent("01" + VALID[2:] + "-extra") is not None

    def test_without_a_valid_header_a_new_sampled_trace_starts(self):
        first, second = incoming(None), incoming("garbage")
        assert first.trace_id != second.trace_id
        assert parse_traceparent(first.header) == first and first.flags == "01"


def test_a_call_to_another_service_carries_the_requests_ids():
    parent = parse_traceparent(VALID)
    ids = current_request.set(RequestIds("req-up", parent.trace_id))
    token = otel_context.attach(remote_context(parent))
    try:
        headers = outgoing_headers()
    finally:
        otel_context.detach(token)
        current_request.reset(ids)
    assert headers == {"traceparent": VALID, "x-request-id": "req-up"}
    assert outgoing_headers() == {}


def _record(message: str = "hello %s", *args, **extra) -> logging.LogRecord:
    record = logging.LogRecord("tt.test", logging.WARNING, __file__, 1, message, args or ("world",), None)
    record.__dict__.update(extra)
    return record


class TestJsonFormatter:
    def test_a_line_outside_a_request_has_the_basics(self):
        line = json.loads(JsonFormatter("crm").format(_record()))
        assert line["message"] == "hello world" and line["level"] == "WARNING" and line["logger"] == "tt.test"
        assert line["service"] == "crm" and line["time"].endswith("Z")
        assert "request_id" not in line and "trace_id" not in line

    def test_a_line_inside_a_request_carries_its_ids(self):
        token = current_request.set(RequestIds("req-1", "abc"))
        try:
            line = json.loads(JsonFormatter("crm").format(_record()))
        finally:
            current_request.reset(token)
        assert line["request_id"] == "req-1" and line["trace_id"] == "abc"

    def test_outside_a_request_a_line_carries_the_current_spans_trace(self):
        parent = parse_traceparent(VALID)
        token = otel_context.attach(remote_context(parent))
        try:
            line = json.loads(JsonFormatter("crm").format(_record()))
        finally:
            otel_context.detach(token)
        assert line["trace_id"] == parent.trace_id and "request_id" not in line

    def test_fields_are_merged_and_text_is_not_escaped(self):
        line = JsonFormatter("gateway").format(_record("café %s", fields={"status": 200}))
        assert "café" in line and json.loads(line)["status"] == 200

    def test_an_exception_is_one_field_of_the_same_line(self):
        try:
            raise ValueError("boom")
        except ValueError:
            import sys

            record = logging.LogRecord("tt.test", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
        text = JsonFormatter("crm").format(record)
        assert "\n" not in text and "ValueError: boom" in json.loads(text)["exception"]


def test_text_lines_append_the_ids_and_fields():
    token = current_request.set(RequestIds("req-9", None))
    try:
        text = TextFormatter("crm").format(_record(fields={"status": 404}))
    finally:
        current_request.reset(token)
    assert text.endswith("tt.test: hello world status=404 request_id=req-9")


class TestHttpMetrics:
    def _count(self, **labels) -> float:
        return REGISTRY.get_sample_value("tt_http_requests_total", labels) or 0.0

    def test_each_request_counts_once_under_its_template(self):
        metrics = HttpMetrics("unit")
        labels = {"service": "unit", "route": "/things/{thing_id}", "method": "GET", "status": "200"}
        before = self._count(**labels)
        metrics.observe("/things/{thing_id}", "GET", 200, 0.01)
        metrics.observe("/things/{thing_id}", "GET", 200, 0.02)
        assert self._count(**labels) == before + 2
        duration = {"service": "unit", "route": "/things/{thing_id}", "method": "GET"}
        assert REGISTRY.get_sample_value("tt_http_request_duration_seconds_count", duration) >= 2

    def test_an_unknown_method_is_labelled_other(self):
        HttpMetrics("unit").observe("unmatched", "BREW", 405, 0.001)
        assert self._count(service="unit", route="unmatched", method="other", status="405") >= 1


def test_uvicorn_writes_no_access_line_of_its_own():
    """uvicorn formats an access line only when its access logger has a handler to reach: the
    gateway's line is the one per request, services write none."""
    setup_logging(service="test", level="INFO", log_format="json")
    assert not logging.getLogger("uvicorn.access").hasHandlers()
    assert logging.getLogger("uvicorn.error").hasHandlers()
