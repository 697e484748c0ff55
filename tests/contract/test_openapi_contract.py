"""Every route the gateway exposes declares how it is authenticated and which scopes open it,
and every error the platform documents uses the standard error body."""

import re

import httpx

SCOPE = re.compile(r"^(read|write|admin):([a-z_]+|\*)$|^\*$")
PUBLIC = {
    ("/api/v1/auth/login", "post"),
    ("/api/v1/info", "get"),
    ("/api/v1/health", "get"),
    ("/api/integrations/slack/events", "post"),  # Slack-signed (integrations.md §4.4)
}


def operations(doc):
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, op


def test_every_operation_declares_auth_and_valid_scopes(stack):
    doc = httpx.get(stack.gateway_url + "/api/openapi.json").json()
    ops = list(operations(doc))
    assert ops, "the merged document lists no operation"
    for path, method, op in ops:
        assert op.get("x-tt-auth") in {"public", "token"}, (path, method)
        assert all(SCOPE.match(s) for s in op["x-tt-scopes"]), (path, method, op["x-tt-scopes"])
        if op["x-tt-auth"] == "public":
            assert (path.removeprefix("/api/v1") if path.startswith("/api/v1") else path, method) in {
                (p.removeprefix("/api/v1"), m) for p, m in PUBLIC
            }, f"unexpected public route {method} {path}"


def test_scoped_operations_are_refused_without_the_scope(stack, make_token):
    """Walk every GET that needs a scope with a token holding none: each answers the 403 shape."""
    token, _, _ = make_token("read:mileage")
    doc = httpx.get(stack.gateway_url + "/api/openapi.json").json()
    base = doc.get("servers", [{"url": ""}])[0]["url"].rstrip("/") if doc.get("servers") else ""
    for path, method, op in operations(doc):
        if method != "get" or not op["x-tt-scopes"] or "{" in path:
            continue
        r = httpx.get(stack.gateway_url + base + path, headers={"X-API-Key": token})
        assert r.status_code == 403, (path, r.status_code)
        body = r.json()
        assert body["error_code"] == "forbidden" and body["available_scopes"] == ["read:mileage"]
        assert body["required_scope"] == ", ".join(op["x-tt-scopes"])


# crm.md: the scope each CRM operation requires.
CRM_SCOPES = {
    ("get", "/api/v1/clients"): "read:clients",
    ("post", "/api/v1/clients"): "write:clients",
    ("get", "/api/v1/clients/{client_id}"): "read:clients",
    ("put", "/api/v1/clients/{client_id}"): "write:clients",
    ("patch", "/api/v1/clients/{client_id}"): "write:clients",
    ("delete", "/api/v1/clients/{client_id}"): "write:clients",
    ("get", "/api/v1/clients/{client_id}/notes"): "read:clients",
    ("post", "/api/v1/clients/{client_id}/notes"): "write:clients",
    ("get", "/api/v1/client-notes/{note_id}"): "read:clients",
    ("put", "/api/v1/client-notes/{note_id}"): "write:clients",
    ("patch", "/api/v1/client-notes/{note_id}"): "write:clients",
    ("delete", "/api/v1/client-notes/{note_id}"): "write:clients",
    ("get", "/api/v1/clients/{client_id}/contacts"): "read:contacts",
    ("post", "/api/v1/clients/{client_id}/contacts"): "write:contacts",
    ("get", "/api/v1/contacts/{contact_id}"): "read:contacts",
    ("put", "/api/v1/contacts/{contact_id}"): "write:contacts",
    ("patch", "/api/v1/contacts/{contact_id}"): "write:contacts",
    ("delete", "/api/v1/contacts/{contact_id}"): "write:contacts",
    ("get", "/api/v1/deals"): "read:deals",
    ("post", "/api/v1/deals"): "write:deals",
    ("get", "/api/v1/deals/{deal_id}"): "read:deals",
    ("put", "/api/v1/deals/{deal_id}"): "write:deals",
    ("patch", "/api/v1/deals/{deal_id}"): "write:deals",
    ("delete", "/api/v1/deals/{deal_id}"): "write:deals",
    ("get", "/api/v1/leads"): "read:leads",
    ("post", "/api/v1/leads"): "write:leads",
    ("get", "/api/v1/leads/{lead_id}"): "read:leads",
    ("put", "/api/v1/leads/{lead_id}"): "write:leads",
    ("patch", "/api/v1/leads/{lead_id}"): "write:leads",
    ("delete", "/api/v1/leads/{lead_id}"): "write:leads",
    ("get", "/api/v1/quotes"): "read:quotes",
    ("post", "/api/v1/quotes"): "write:quotes",
    ("get", "/api/v1/quotes/{quote_id}"): "read:quotes",
    ("put", "/api/v1/quotes/{quote_id}"): "write:quotes",
    ("patch", "/api/v1/quotes/{quote_id}"): "write:quotes",
    ("delete", "/api/v1/quotes/{quote_id}"): "write:quotes",
}


def test_crm_operations_require_the_spec_scopes(stack):
    doc = httpx.get(stack.gateway_url + "/api/openapi.json").json()
    base = doc.get("servers", [{"url": ""}])[0]["url"].rstrip("/") if doc.get("servers") else ""
    published = {(method, base + path): op["x-tt-scopes"] for path, method, op in operations(doc)}
    crm = {key: scopes for key, scopes in published.items() if key in CRM_SCOPES}
    assert {key: [scope] for key, scope in CRM_SCOPES.items()} == crm


def crud(collection: str, item: str, resource: str) -> dict[tuple[str, str], str]:
    """List/create on the collection, get/update/delete on the item: read:/write:<resource>."""
    read, write = f"read:{resource}", f"write:{resource}"
    return {
        ("get", collection): read,
        ("post", collection): write,
        **{(m, item): write for m in ("put", "patch", "delete")},
        ("get", item): read,
    }


# tracking.md: the scope each tracking operation requires.
TRACKING_SCOPES = {
    **crud("/api/v1/projects", "/api/v1/projects/{project_id}", "projects"),
    **crud("/api/v1/tasks", "/api/v1/tasks/{task_id}", "tasks"),
    **crud("/api/v1/time-entries", "/api/v1/time-entries/{entry_id}", "time_entries"),
    ("post", "/api/v1/time-entries/bulk"): "write:time_entries",
    ("post", "/api/v1/time-entries/import-csv"): "write:time_entries",
    ("get", "/api/v1/timer/status"): "read:time_entries",
    **{("post", f"/api/v1/timer/{action}"): "write:time_entries" for action in ("start", "stop", "pause", "resume")},
    ("get", "/api/v1/time-entry-approvals"): "read:time_approvals",
    ("get", "/api/v1/time-entry-approvals/{approval_id}"): "read:time_approvals",
    ("post", "/api/v1/time-entries/{entry_id}/request-approval"): "write:time_approvals",
    **{
        ("post", f"/api/v1/time-entry-approvals/{{approval_id}}/{action}"): "write:time_approvals"
        for action in ("approve", "reject", "cancel")
    },
    ("post", "/api/v1/time-entry-approvals/bulk-approve"): "write:time_approvals",
    ("get", "/api/v1/users/me/favorites/projects"): "read:projects",
    ("post", "/api/v1/users/me/favorites/projects"): "write:projects",
    ("delete", "/api/v1/users/me/favorites/projects/{project_id}"): "write:projects",
}


def test_tracking_operations_require_the_spec_scopes(stack):
    doc = httpx.get(stack.gateway_url + "/api/openapi.json").json()
    published = {(method, path): op["x-tt-scopes"] for path, method, op in operations(doc)}
    missing = set(TRACKING_SCOPES) - set(published)
    assert not missing, f"not routed: {sorted(missing)}"
    assert {key: published[key] for key in TRACKING_SCOPES} == {key: [s] for key, s in TRACKING_SCOPES.items()}


# reporting.md: the scope of each reporting operation; legacy `/api/...` paths need a token and
# no scope (CONVENTIONS §13).
REPORTING_SCOPES = {
    ("get", "/api/v1/reports/summary"): ["read:reports"],
    ("get", "/api/v1/search"): ["read:projects"],
    ("get", "/api/search"): [],
    ("get", "/api/v1/exports/payroll"): ["read:reports"],
    ("get", "/api/v1/exports/time-entries"): ["read:time_entries"],
    ("get", "/api/stats/value-dashboard"): [],
    ("get", "/api/v1/reports/value-dashboard"): ["read:reports"],
    ("get", "/api/reports/week-comparison"): [],
    ("get", "/api/v1/reports/week-comparison"): ["read:reports"],
    ("get", "/api/productivity/stats"): [],
    ("get", "/api/v1/reports/productivity"): ["read:reports"],
    ("get", "/api/projects/{project_id}/forecast"): [],
    ("get", "/api/v1/reports/projects/{project_id}/forecast"): ["read:reports"],
    ("get", "/api/ai/suggest"): [],
    ("get", "/api/v1/ai/suggest"): ["read:time_entries"],
}


def test_reporting_operations_require_the_spec_scopes(stack):
    doc = httpx.get(stack.gateway_url + "/api/openapi.json").json()
    published = {(method, path): op["x-tt-scopes"] for path, method, op in operations(doc)}
    missing = set(REPORTING_SCOPES) - set(published)
    assert not missing, f"not routed: {sorted(missing)}"
    assert {key: published[key] for key in REPORTING_SCOPES} == REPORTING_SCOPES
