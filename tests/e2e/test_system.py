"""Unauthenticated system surfaces of the gateway (CONVENTIONS §1, §10)."""

import re
import uuid

import httpx

from gateway.system import advertised_paths

INFO_KEYS = {
    "api_version",
    "app_version",
    "setup_required",
    "enabled_modules",
    "documentation_url",
    "authentication",
    "endpoints",
    "timezone",
}


def test_info_matches_the_spec(stack):
    r = httpx.get(stack.gateway_url + "/api/v1/info")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    info = r.json()
    assert INFO_KEYS <= set(info)
    assert info["api_version"] == "v1" and info["setup_required"] is False
    assert info["documentation_url"] == "/api/docs"
    endpoints = info["endpoints"]
    assert isinstance(endpoints, dict)
    assert endpoints["time_entries"] == "/api/v1/time-entries"
    assert endpoints["contacts"] == "/api/v1/clients/<client_id>/contacts"
    # the stack deploys every service; invoices, expenses and mileage have none
    assert {"users", "projects", "clients", "reports", "payroll_export", "search", "inventory", "webhooks"} <= set(
        endpoints
    )
    assert endpoints["inventory"]["reports"]["valuation"] == "/api/v1/inventory/reports/valuation"
    assert not {"invoices", "expenses", "mileage"} & set(endpoints)
    assert "projects" in info["enabled_modules"] and "timer" in info["enabled_modules"]


def test_every_advertised_endpoint_is_served(stack, admin):
    """CONVENTIONS §10.1: a client that follows an entry never meets a 404."""
    client = admin.post("/api/v1/clients", json={"name": f"Info {uuid.uuid4().hex[:8]}"})
    assert client.status_code == 201
    client_id = client.json()["client"]["id"]
    endpoints = httpx.get(stack.gateway_url + "/api/v1/info").json()["endpoints"]
    for path in advertised_paths(endpoints):
        url = path.replace("<client_id>", str(client_id))
        assert "<" not in url, f"no real value for a parameter of {path}"
        r = admin.get(url)
        assert r.status_code != 404, (path, r.status_code, r.text)


def test_health(stack):
    body = httpx.get(stack.gateway_url + "/api/v1/health").json()
    assert body["status"] == "healthy"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", body["timestamp"])
    assert body["services"]["auth"] == "ready"


def test_merged_openapi_carries_scopes(stack):
    doc = httpx.get(stack.gateway_url + "/api/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    me = next(op for path, item in doc["paths"].items() if path.endswith("/users/me") for op in [item["get"]])
    assert me["x-tt-scopes"] == ["read:users"]
    assert not any("/internal/" in path for path in doc["paths"])


def test_docs_are_served_without_internet(stack):
    r = httpx.get(stack.gateway_url + "/api/docs", follow_redirects=True)
    assert r.status_code == 200 and "swagger" in r.text.lower()
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', r.text)
    assert assets and not any(a.startswith("http") for a in assets)
    for asset in assets:
        url = httpx.URL(str(r.url)).join(asset)
        assert httpx.get(url).status_code == 200, asset


def test_unknown_path_is_404_before_auth_and_wrong_method_405(stack):
    r = httpx.get(stack.gateway_url + "/api/v1/no-such-thing")
    assert r.status_code == 404 and r.json()["error_code"] == "not_found" and r.json()["success"] is False
    r = httpx.delete(stack.gateway_url + "/api/v1/users/me")
    assert r.status_code == 405 and r.json()["error_code"] == "method_not_allowed"


def test_cors_preflight_and_headers(stack):
    r = httpx.options(stack.gateway_url + "/api/v1/users/me", headers={"Origin": "https://app.example"})
    assert r.status_code == 204
    assert r.headers["access-control-allow-origin"] == "https://app.example"
    assert "X-API-Key" in r.headers["access-control-allow-headers"]
    assert "Idempotency-Key" in r.headers["access-control-allow-headers"]
    assert r.headers["access-control-max-age"] == "600"
    r = httpx.get(stack.gateway_url + "/api/v1/users/me", headers={"Origin": "https://app.example"})
    assert r.status_code == 401 and r.headers["access-control-allow-origin"] == "https://app.example"


def test_request_id_is_kept_or_generated(stack):
    r = httpx.get(stack.gateway_url + "/api/v1/info", headers={"X-Request-ID": "trace-me-123"})
    assert r.headers["x-request-id"] == "trace-me-123"
    generated = httpx.get(stack.gateway_url + "/api/v1/info").headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f-]{36}", generated)
