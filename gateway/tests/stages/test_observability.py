"""Through a gateway process: its metrics (on the metrics port only), its access log and the
trace context it hands the service."""

import json

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from shared.embedded import free_port

CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_TRACEPARENT = f"00-{CALLER_TRACE}-00f067aa0ba902b7-01"


class Observed:
    def __init__(self, url: str, metrics_url: str, log_path) -> None:
        self.url = url
        self.metrics_url = metrics_url
        self.log_path = log_path

    def get(self, path: str, token: str | None = None, **headers: str) -> httpx.Response:
        if token is not None:
            headers["X-API-Key"] = token
        return httpx.get(self.url + path, headers=headers, timeout=10)

    def access_lines(self) -> list[dict]:
        lines = [json.loads(line) for line in self.log_path.read_text().splitlines() if line.startswith("{")]
        return [line for line in lines if line["logger"] == "gateway.access"]

    def sample(self, name: str, **labels: str) -> float:
        text = httpx.get(self.metrics_url, timeout=5).text
        for family in text_string_to_metric_families(text):
            for s in family.samples:
                if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                    return s.value
        return 0.0


@pytest.fixture(scope="module")
def observed(make_gateway, nowhere):
    port = free_port()
    gateway = make_gateway(
        TT_CRM_URL=nowhere,
        TT_GATEWAY_METRICS_PORT=str(port),
        TT_LOG_LEVEL="INFO",
        TT_LOGIN_RATE_LIMIT_PER_MINUTE="1",
    )
    return Observed(gateway.url, f"http://127.0.0.1:{port}/metrics", gateway.log_path)


class TestMetricsPort:
    def test_public_port_does_not_serve_metrics(self, observed):
        r = observed.get("/metrics")
        assert r.status_code == 404 and r.json()["error_code"] == "not_found"

    def test_metrics_port_counts_a_proxied_request_under_its_template(self, observed, fake_auth):
        token, _, _ = fake_auth.add_token("read:projects")
        labels = {"service": "gateway", "route": "/api/v1/projects/{project_id}", "method": "GET", "status": "200"}
        before = observed.sample("tt_http_requests_total", **labels)
        assert observed.get("/api/v1/projects/41", token).status_code == 200
        assert observed.get("/api/v1/projects/42", token).status_code == 200
        assert observed.sample("tt_http_requests_total", **labels) == before + 2
        assert "/api/v1/projects/42" not in httpx.get(observed.metrics_url).text

    def test_own_endpoints_and_unknown_paths_have_bounded_labels(self, observed):
        observed.get("/api/v1/info")
        observed.get("/api/v1/nothing-here/123")
        assert observed.sample("tt_http_requests_total", route="/api/v1/info", status="200") >= 1
        assert observed.sample("tt_http_requests_total", route="unmatched", status="404") >= 1

    def test_rate_limit_decisions_are_counted(self, observed):
        before_limited = observed.sample("tt_rate_limit_decisions_total", decision="limited", kind="login")
        for _ in range(2):
            httpx.post(observed.url + "/api/v1/auth/login", json={"username": "x", "password": "y"})
        assert observed.sample("tt_rate_limit_decisions_total", decision="limited", kind="login") >= before_limited + 1
        assert observed.sample("tt_rate_limit_backend", mode="redis") == 1.0
        assert observed.sample("tt_rate_limit_backend", mode="local-fallback") == 0.0

    def test_a_service_that_is_down_shows_in_upstream_errors(self, observed, fake_auth):
        token, _, _ = fake_auth.add_token("read:clients")
        before = observed.sample("tt_gateway_upstream_errors_total", service="crm", reason="not_loaded")
        assert observed.get("/api/v1/clients", token).status_code == 503
        assert observed.sample("tt_gateway_upstream_errors_total", service="crm", reason="not_loaded") == before + 1
        assert observed.sample("tt_gateway_routes_loaded", service="crm") == 0.0
        assert observed.sample("tt_gateway_routes_loaded", service="tracking") == 1.0


class TestAccessLog:
    def test_one_line_per_request_without_token_or_query_values(self, observed, fake_auth, wait_until):
        token, _, user_id = fake_auth.add_token("read:projects")
        r = observed.get("/api/v1/projects/7?api_key=sekrit-in-query", token, **{"X-Request-ID": "rid-access-1"})
        assert r.status_code == 200
        lines = wait_until(
            lambda: [line for line in observed.access_lines() if line.get("request_id") == "rid-access-1"]
        )
        (line,) = lines
        assert line["method"] == "GET" and line["route"] == "/api/v1/projects/{project_id}"
        assert line["status"] == 200 and line["duration_ms"] > 0
        assert line["user_id"] == user_id and line["upstream"] == "tracking" and line["service"] == "gateway"
        logged = observed.log_path.read_text()
        assert token not in logged and "sekrit-in-query" not in logged

    def test_an_unmatched_request_logs_its_path_without_the_query(self, observed, wait_until):
        observed.get("/api/v1/no-such/thing?token=abc123", **{"X-Request-ID": "rid-access-2"})
        (line,) = wait_until(
            lambda: [line for line in observed.access_lines() if line.get("request_id") == "rid-access-2"]
        )
        assert line["path"] == "/api/v1/no-such/thing" and line["status"] == 404 and line["upstream"] is None
        assert "abc123" not in observed.log_path.read_text()


class TestTraceContext:
    def test_the_callers_trace_reaches_the_service_and_the_access_log(self, observed, fake_auth, wait_until):
        token, _, _ = fake_auth.add_token("read:projects")
        r = observed.get("/api/v1/projects", token, traceparent=CALLER_TRACEPARENT, **{"X-Request-ID": "rid-trace-1"})
        assert r.json()["headers"]["traceparent"] == CALLER_TRACEPARENT
        (line,) = wait_until(
            lambda: [line for line in observed.access_lines() if line.get("request_id") == "rid-trace-1"]
        )
        assert line["trace_id"] == CALLER_TRACE

    def test_without_one_the_gateway_starts_a_trace(self, observed, fake_auth, wait_until):
        token, _, _ = fake_auth.add_token("read:projects")
        r = observed.get("/api/v1/projects", token, traceparent="not-a-traceparent", **{"X-Request-ID": "rid-trace-2"})
        forwarded = r.json()["headers"]["traceparent"]
        version, trace_id, span_id, flags = forwarded.split("-")
        assert (version, flags, len(trace_id), len(span_id)) == ("00", "01", 32, 16)
        (line,) = wait_until(
            lambda: [line for line in observed.access_lines() if line.get("request_id") == "rid-trace-2"]
        )
        assert line["trace_id"] == trace_id


def test_with_an_exporter_the_gateway_span_is_the_services_parent(make_gateway, fake_auth, wait_until):
    gateway = make_gateway(TT_OTEL_EXPORTER="console", OTEL_BSP_SCHEDULE_DELAY="50")
    token, _, _ = fake_auth.add_token("read:projects")
    r = gateway.get("/api/v1/projects/5", token, headers={"traceparent": CALLER_TRACEPARENT})
    _, trace_id, span_id, _ = r.json()["headers"]["traceparent"].split("-")
    assert trace_id == CALLER_TRACE and span_id != CALLER_TRACEPARENT.split("-")[2]

    def exported() -> list[dict]:
        # ConsoleSpanExporter prints each span as an indented JSON object
        text = gateway.log_path.read_text()
        spans = []
        for chunk in text.split("\n{\n")[1:]:
            body = "{\n" + chunk.split("\n}\n")[0] + "\n}"
            spans.append(json.loads(body))
        return [s for s in spans if s["context"]["span_id"] == f"0x{span_id}"]

    (span,) = wait_until(exported, timeout=10)
    assert span["name"] == "GET /api/v1/projects/{project_id}" and span["kind"] == "SpanKind.SERVER"
    assert span["parent_id"] == "0x" + CALLER_TRACEPARENT.split("-")[2]
    assert span["attributes"]["http.response.status_code"] == 200
