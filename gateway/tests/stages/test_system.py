"""The gateway's own endpoints: /api/v1/info, /api/v1/health (CONVENTIONS §10), merged
OpenAPI, Swagger UI with local assets, and the process probes."""

import re
import time

import httpx

from gateway.system import advertised_paths

# Auth, tracking, crm and inventory are configured in the `gateway` fixture; reporting and
# integrations are not (CONVENTIONS §10.1: a service not deployed contributes no entries).
INFO_KEYS = {
    "users",
    "projects",
    "time_entries",
    "tasks",
    "time_entry_approvals",
    "favorites",
    "clients",
    "deals",
    "leads",
    "contacts",
    "client_notes",
    "quotes",
    "inventory",
}
UPSTREAM_ONLY = {"invoices", "expenses", "payments", "mileage", "issues", "time_off", "compliance_reports"}



def test_info(gateway, fake_auth):
    r = gateway.get("/api/v1/info")
    assert r.status_code == 200
    info = r.json()
    assert info["api_version"] == "v1" and info["app_version"] == "9.9.9" and info["setup_required"] is False
    assert info["documentation_url"] == "/api/docs" and info["timezone"] == "Europe/Rome"
    assert info["authentication"] == "API Token (Bearer or X-API-Key header)"
    assert info["enabled_modules"] == ["auth", "main", "projects", "timer", "tasks", "clients"]
    endpoints = info["endpoints"]
    assert isinstance(endpoints, dict) and set(endpoints) == INFO_KEYS
    assert not UPSTREAM_ONLY & set(endpoints)
    assert endpoints["time_entries"] == "/api/v1/time-entries"
    assert endpoints["contacts"] == "/api/v1/clients/<client_id>/contacts"
    assert set(endpoints["inventory"]["reports"]) == {"valuation", "movement_history", "turnover", "low_stock"}
    assert set(endpoints["inventory"]) == {"items", "warehouses", "stock_levels", "movements", "transfers", "reports"}
    assert all(p.startswith("/api/v1/") and "{" not in p for p in advertised_paths(endpoints))


def test_info_without_auth_service_uses_core_modules(make_gateway, nowhere):
    info = make_gateway(TT_AUTH_URL=nowhere).get("/api/v1/info").json()
    assert info["enabled_modules"] == ["auth", "main", "projects", "timer", "tasks"]
    # auth and tracking configured (auth unreachable is still deployed), nothing else
    assert set(info["endpoints"]) == {"users", "projects", "time_entries", "tasks", "time_entry_approvals", "favorites"}


def test_health(gateway):
    r = gateway.get("/api/v1/health")
    body = r.json()
    assert r.status_code == 200 and body["status"] == "healthy"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z", body["timestamp"])
    assert body["services"] == {"auth": "ready", "tracking": "ready", "crm": "unavailable", "inventory": "ready"}


def test_probes(gateway):
    assert gateway.get("/healthz").json()["status"] == "ok"
    ready = gateway.get("/readyz").json()
    assert ready["status"] == "ready" and ready["checks"]["rate_limits"] == "redis"
    assert ready["checks"]["routes"] == {"auth": True, "tracking": True, "crm": False, "inventory": True}


def test_merged_openapi(gateway):
    r = gateway.get("/api/openapi.json")
    assert r.status_code == 200
    doc = r.json()
    assert doc["openapi"].startswith("3.")
    paths = doc["paths"]
    assert {"/api/v1/users/me", "/api/v1/projects", "/api/v1/projects/{project_id}", "/api/v1/info"} <= set(paths)
    assert "/api/v1/secret" not in paths and not any(p.startswith("/internal") for p in paths)
    me = paths["/api/v1/users/me"]["get"]
    assert me["x-tt-scopes"] == ["read:users"]
    assert {"BearerToken": ["read:users"]} in me["security"]
    assert paths["/api/v1/auth/login"]["post"]["security"] == []
    schemas = doc["components"]["schemas"]
    assert {"Me", "auth_Shared", "tracking_Shared"} <= set(schemas)  # "Shared" differs between the two
    ref = paths["/api/v1/projects"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert ref == "#/components/schemas/tracking_Shared"


def test_docs_are_served_with_local_assets(gateway):
    page = gateway.get("/api/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets and all(a.startswith("/api/docs/") for a in assets)
    for asset in assets:
        r = gateway.get(asset)
        assert r.status_code == 200 and len(r.content) > 0, asset
    assert "SwaggerUIBundle" in gateway.get("/api/docs/swagger-ui-bundle.js").text
    assert "/api/openapi.json" in gateway.get("/api/docs/swagger-init.js").text
    assert gateway.get("/api/docs/").status_code == 200


def test_routes_appear_when_a_service_comes_up_late(make_gateway, service_process, fakes_env, fake_auth, wait_until):
    from shared.embedded import free_port

    port = free_port()
    gw = make_gateway(TT_TRACKING_URL=f"http://127.0.0.1:{port}", TT_ROUTES_RETRY_SECONDS="0.2")
    token, _, _ = fake_auth.add_token("read:projects")
    assert gw.get("/api/v1/projects", token).status_code == 503
    service_process("gw_fake_backend:create_app", fakes_env, port=port)
    assert wait_until(lambda: gw.get("/api/v1/projects", token).status_code == 200, timeout=5)
    assert gw.get("/api/v1/projects", token).json()["identity"]["scopes"] == ["read:projects"]
    assert "/api/v1/projects" in httpx.get(gw.url + "/api/openapi.json").json()["paths"]


def test_process_exits_promptly_when_it_cannot_start(fakes_env, infra_urls, fake_auth):
    """A failed bind runs lifespan shutdown while the NATS subscription is still connecting."""
    import os
    import socket
    import subprocess
    import sys

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        env = {
            **os.environ,
            **fakes_env,
            "TT_AUTH_URL": fake_auth.url,
            "TT_NATS_URL": infra_urls["nats"],
            "TT_REDIS_URL": infra_urls["redis"],
        }
        argv = [sys.executable, "-m", "uvicorn", "--factory", "gateway.main:create_app", "--port", str(port)]
        started = time.monotonic()
        proc = subprocess.run(argv, env=env, capture_output=True, timeout=20)
    assert proc.returncode != 0 and b"address already in use" in proc.stderr
    assert time.monotonic() - started < 10
