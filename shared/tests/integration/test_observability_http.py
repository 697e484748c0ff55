"""A service's metrics, request logs and traces, through the demo service on real PostgreSQL/NATS."""

import json
import logging

import pytest
from demo_service import create_app, metadata
from fastapi.testclient import TestClient
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine

from shared.observability import tracing
from shared.observability.logs import JsonFormatter
from shared.settings import PlatformSettings
from shared.testing.fixtures import identity_headers

TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


@pytest.fixture(scope="module")
def client(infra_urls, identity_secret, scratch_db_url):
    engine = create_engine(scratch_db_url)
    metadata.drop_all(engine)
    metadata.create_all(engine)
    settings = PlatformSettings(
        service_name="demo",
        database_url=infra_urls["database"],
        nats_url=infra_urls["nats"],
        identity_secret=identity_secret,
    )
    with TestClient(create_app(settings, scratch_db_url), raise_server_exceptions=False) as c:
        yield c
    engine.dispose()


@pytest.fixture
def reader(identity_codec):
    return identity_headers(identity_codec, user_id=1, scopes=("read:widgets", "write:widgets"), token_id=3)


class JsonLines(logging.Handler):
    """Formats each record as it is emitted, inside the request's context."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonFormatter("demo"))
        self.lines: list[dict] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


@pytest.fixture
def logged():
    handler = JsonLines()
    logging.getLogger().addHandler(handler)
    yield handler.lines
    logging.getLogger().removeHandler(handler)


def requests_served(client, **labels) -> float:
    text = client.get("/metrics").text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "tt_http_requests_total" and all(sample.labels.get(k) == v for k, v in labels.items()):
                return sample.value
    return 0.0


class TestMetrics:
    def test_a_request_is_counted_under_its_route_template(self, client, reader):
        labels = {"service": "demo", "route": "/api/v1/widgets", "method": "GET", "status": "200"}
        before = requests_served(client, **labels)
        assert client.get("/api/v1/widgets", headers=reader).status_code == 200
        assert requests_served(client, **labels) == before + 1

    def test_refusals_are_counted_with_their_status(self, client):
        labels = {"service": "demo", "route": "/api/v1/widgets", "method": "GET", "status": "401"}
        before = requests_served(client, **labels)
        client.get("/api/v1/widgets?page=1")
        assert requests_served(client, **labels) == before + 1

    def test_unknown_paths_share_one_label(self, client):
        # the registry is the process's: other apps' tests may have counted their own 404s
        labels = {"service": "demo", "route": "unmatched", "method": "GET", "status": "404"}
        before = requests_served(client, **labels)
        client.get("/no/such/path/123")
        client.get("/no/such/path/456")
        assert requests_served(client, **labels) == before + 2
        assert "/no/such/path" not in client.get("/metrics").text

    def test_the_exposition_is_prometheus_text_with_the_duration_histogram(self, client, reader):
        client.get("/api/v1/widgets", headers=reader)
        r = client.get("/metrics")
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
        assert 'tt_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/api/v1/widgets"' in r.text
        assert "process_cpu_seconds_total" in r.text or "python_gc_objects_collected_total" in r.text

    def test_metrics_are_not_published_in_the_openapi(self, client):
        assert "/metrics" not in client.get("/openapi.json").json()["paths"]


class TestRequestLogs:
    def test_a_line_logged_in_a_request_carries_its_request_and_trace_ids(self, client, writer_headers, logged):
        headers = {**writer_headers, "X-Request-ID": "req-obs-1", "traceparent": TRACEPARENT}
        r = client.post("/api/v1/widgets", json={"name": "explode-after-record"}, headers=headers)
        assert r.status_code == 500
        (line,) = [line for line in logged if line["message"].startswith("unhandled error")]
        assert line["request_id"] == "req-obs-1" and line["trace_id"] == "0af7651916cd43dd8448eb211c80319c"
        assert line["service"] == "demo" and "RuntimeError" in line["exception"]

    def test_without_a_traceparent_a_trace_id_is_made_up(self, client, writer_headers, logged):
        client.post("/api/v1/widgets", json={"name": "explode-after-record"}, headers=writer_headers)
        (line,) = [line for line in logged if line["message"].startswith("unhandled error")]
        assert len(line["trace_id"]) == 32 and "request_id" not in line


@pytest.fixture
def writer_headers(identity_codec):
    return identity_headers(identity_codec, user_id=1, scopes=("write:widgets",), token_id=4)


@pytest.fixture
def exporting(monkeypatch):
    """Spans recorded in memory, as if `TT_OTEL_EXPORTER` were on (no global provider set)."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    monkeypatch.setattr(tracing, "_tracer", provider.get_tracer("test"))
    return exporter


def test_with_an_exporter_a_server_span_continues_the_callers_trace(client, reader, exporting):
    client.get("/api/v1/widgets", headers={**reader, "traceparent": TRACEPARENT})
    (span,) = exporting.get_finished_spans()
    assert span.name == "GET /api/v1/widgets"
    assert f"{span.context.trace_id:032x}" == "0af7651916cd43dd8448eb211c80319c"
    assert f"{span.parent.span_id:016x}" == "b7ad6b7169203331"
    assert span.attributes["http.route"] == "/api/v1/widgets" and span.attributes["http.response.status_code"] == 200
