"""Following one request through the stack: the request id and trace id a client sends reach
the service's log lines, the gateway logs one access line for it (no token), and both
processes count it by route template on their own metrics endpoints."""

import json
import re
import time
import uuid
from pathlib import Path

import httpx
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

REPO = Path(__file__).resolve().parents[2]


def json_lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(errors="replace").splitlines() if line.startswith("{")]


def lines_for(path, request_id: str, timeout: float = 5.0) -> list[dict]:
    deadline = time.monotonic() + timeout
    while True:
        found = [line for line in json_lines(path) if line.get("request_id") == request_id]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def sample(metrics_text: str, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(metrics_text):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return s.value
    return 0.0


def test_the_callers_request_and_trace_ids_reach_the_service_log(stack, admin):
    request_id = f"e2e-obs-{uuid.uuid4().hex[:8]}"
    trace_id = uuid.uuid4().hex
    traceparent = f"00-{trace_id}-{uuid.uuid4().hex[:16]}-01"
    r = admin.get("/api/v1/webhooks", headers={"X-Request-ID": request_id, "traceparent": traceparent})
    assert r.status_code == 200 and r.headers["x-request-id"] == request_id
    (service_line,) = [
        line for line in lines_for(stack.integrations_log, request_id) if line["logger"] == "service.requests"
    ]
    assert service_line["service"] == "integrations" and service_line["trace_id"] == trace_id
    assert service_line["message"] == f"GET /api/v1/webhooks 200 {service_line['message'].split()[-1]}"
    (access,) = [line for line in lines_for(stack.gateway_log, request_id) if line["logger"] == "gateway.access"]
    assert access["trace_id"] == trace_id and access["route"] == "/api/v1/webhooks"
    assert access["status"] == 200 and access["upstream"] == "integrations" and access["user_id"] is not None


def test_a_trace_the_gateway_starts_is_the_services_too(stack, admin):
    request_id = f"e2e-obs-{uuid.uuid4().hex[:8]}"
    assert admin.get("/api/v1/webhooks/events", headers={"X-Request-ID": request_id}).status_code == 200
    (service_line,) = [
        line for line in lines_for(stack.integrations_log, request_id) if line["logger"] == "service.requests"
    ]
    (access,) = [line for line in lines_for(stack.gateway_log, request_id) if line["logger"] == "gateway.access"]
    assert len(access["trace_id"]) == 32 and service_line["trace_id"] == access["trace_id"]


def test_the_access_log_never_holds_a_token_or_query_values(stack, admin):
    request_id = f"e2e-obs-{uuid.uuid4().hex[:8]}"
    admin.get("/api/v1/webhooks?secret_marker=qv-4f1d2c", headers={"X-Request-ID": request_id})
    assert lines_for(stack.gateway_log, request_id)
    logged = stack.gateway_log.read_text(errors="replace")
    assert stack.admin_token not in logged and "qv-4f1d2c" not in logged


def test_a_service_counts_requests_by_route_template(stack, admin):
    labels = {"service": "integrations", "route": "/api/v1/webhooks/{webhook_id}", "method": "GET", "status": "404"}
    before = sample(httpx.get(stack.integrations_url + "/metrics").text, "tt_http_requests_total", **labels)
    assert admin.get("/api/v1/webhooks/999999901").status_code == 404
    assert admin.get("/api/v1/webhooks/999999902").status_code == 404
    text = httpx.get(stack.integrations_url + "/metrics").text
    assert sample(text, "tt_http_requests_total", **labels) == before + 2
    assert "999999901" not in text


def test_gateway_metrics_are_on_the_metrics_port_only(stack, admin):
    public = httpx.get(stack.gateway_url + "/metrics")
    assert public.status_code == 404 and public.json()["error_code"] == "not_found"
    admin.get("/api/v1/webhooks")
    text = httpx.get(stack.gateway_metrics_url).text
    labels = {"service": "gateway", "route": "/api/v1/webhooks", "method": "GET", "status": "200"}
    assert sample(text, "tt_http_requests_total", **labels) >= 1
    assert sample(text, "tt_rate_limit_decisions_total", decision="allowed", kind="token") >= 1


ALERTS = REPO / "deploy" / "prometheus" / "alerts.yml"
# Prometheus's own series, not any process's.
PROMETHEUS_SERIES = {"up"}
# Suffixes the text format gives a family's samples.
_SUFFIXES = {"counter": ("_total", "_created"), "histogram": ("_bucket", "_count", "_sum", "_created")}
def metric_names(expr: str) -> set[str]:
    """Series names in a PromQL expression (a name followed by a selector, range, comparison…)."""
    return set(re.findall(r"\b(?:tt_\w+|up)\b(?=\s*[{\[)=<>!]|\s*$)", expr))


def alert_rules() -> list[dict]:
    doc = yaml.safe_load(ALERTS.read_text())
    return [rule for group in doc["groups"] for rule in group["rules"]]


def exposed_names(stack) -> set[str]:
    urls = [stack.gateway_metrics_url] + [
        f"{getattr(stack, f'{name}_url')}/metrics"
        for name in ("auth", "tracking", "crm", "inventory", "reporting", "integrations")
    ]
    names = set()
    for url in urls:
        for family in text_string_to_metric_families(httpx.get(url).text):
            names.add(family.name)
            names.update(family.name + suffix for suffix in _SUFFIXES.get(family.type, ()))
    return names


@pytest.fixture(scope="module")
def exposed(stack) -> set[str]:
    return exposed_names(stack)


@pytest.mark.parametrize("rule", [pytest.param(rule, id=rule["alert"]) for rule in alert_rules()])
def test_every_alert_names_metrics_a_process_exposes(rule, exposed):
    names = metric_names(rule["expr"])
    assert names, rule["expr"]
    missing = names - exposed - PROMETHEUS_SERIES
    assert not missing, f"{rule['alert']}: no process exposes {sorted(missing)}"
    assert rule["annotations"]["summary"] and rule["labels"]["severity"] in ("page", "warn", "info")
