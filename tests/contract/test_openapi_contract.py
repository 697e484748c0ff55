"""Every route the gateway exposes declares how it is authenticated and which scopes open it,
and every error the platform documents uses the standard error body."""

import re

import httpx

SCOPE = re.compile(r"^(read|write|admin):([a-z_]+|\*)$|^\*$")
PUBLIC = {("/api/v1/auth/login", "post"), ("/api/v1/info", "get"), ("/api/v1/health", "get")}


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
    token, _, _ = make_token("read:quotes")
    doc = httpx.get(stack.gateway_url + "/api/openapi.json").json()
    base = doc.get("servers", [{"url": ""}])[0]["url"].rstrip("/") if doc.get("servers") else ""
    for path, method, op in operations(doc):
        if method != "get" or not op["x-tt-scopes"] or "{" in path:
            continue
        r = httpx.get(stack.gateway_url + base + path, headers={"X-API-Key": token})
        assert r.status_code == 403, (path, r.status_code)
        body = r.json()
        assert body["error_code"] == "forbidden" and body["available_scopes"] == ["read:quotes"]
        assert body["required_scope"] == ", ".join(op["x-tt-scopes"])
