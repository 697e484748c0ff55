"""`GET /api/openapi.json`: one OpenAPI 3 document for every service (CONVENTIONS §10.3), and
`GET /api/docs`: Swagger UI with its assets served by the gateway (works offline).

Operations keep `x-tt-auth` / `x-tt-scopes` and gain a `security` entry naming the scopes.
Components that two services define differently under one name are renamed
`<service>_<name>` (with every `$ref` of that service rewritten).
"""

from __future__ import annotations

import copy
import importlib.resources
from typing import Any

import orjson
from starlette.types import Receive, Scope, Send

from gateway.http import send_body
from gateway.routes.registry import RouteRegistry
from gateway.routes.table import HTTP_METHODS

SECURITY_SCHEMES = {
    "BearerToken": {"type": "http", "scheme": "bearer", "description": "API token: `Authorization: Bearer tt_…`"},
    "ApiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key", "description": "API token in `X-API-Key`"},
}

GATEWAY_PATHS: dict[str, Any] = {
    "/api/v1/info": {
        "get": {
            "summary": "API discovery: version, modules, endpoints",
            "operationId": "gateway.get_info",
            "tags": ["system"],
            "responses": {"200": {"description": "API information"}},
            "security": [],
            "x-tt-auth": "public",
            "x-tt-scopes": [],
        }
    },
    "/api/v1/health": {
        "get": {
            "summary": "Health check",
            "operationId": "gateway.get_health",
            "tags": ["system"],
            "responses": {"200": {"description": "The API is up"}},
            "security": [],
            "x-tt-auth": "public",
            "x-tt-scopes": [],
        }
    },
}

_REF_PREFIX = "#/components/"


def _rewrite_refs(node: Any, renames: dict[str, str]) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value in renames:
                out[key] = renames[value]
            else:
                out[key] = _rewrite_refs(value, renames)
        return out
    if isinstance(node, list):
        return [_rewrite_refs(item, renames) for item in node]
    return node


def _colliding(docs: dict[str, dict[str, Any]]) -> set[tuple[str, str]]:
    """(component kind, name) pairs defined differently by two services."""
    seen: dict[tuple[str, str], Any] = {}
    clashes = set()
    for doc in docs.values():
        for kind, items in (doc.get("components") or {}).items():
            if kind == "securitySchemes" or not isinstance(items, dict):
                continue
            for name, value in items.items():
                key = (kind, name)
                if key in seen and seen[key] != value:
                    clashes.add(key)
                seen.setdefault(key, value)
    return clashes


def _security(op: dict[str, Any]) -> list[dict[str, list[str]]]:
    if op.get("x-tt-auth") == "public":
        return []
    scopes = [str(s) for s in op.get("x-tt-scopes") or []]
    return [{"BearerToken": scopes}, {"ApiKey": scopes}]


def merge_openapi(docs: dict[str, dict[str, Any]], *, version: str) -> dict[str, Any]:
    clashes = _colliding(docs)
    paths: dict[str, Any] = copy.deepcopy(GATEWAY_PATHS)
    components: dict[str, dict[str, Any]] = {"securitySchemes": dict(SECURITY_SCHEMES)}
    tags: dict[str, Any] = {"system": {"name": "system"}}
    versions = {str(doc.get("openapi", "3.1.0")) for doc in docs.values()}
    openapi_version = "3.0.3" if versions and all(v.startswith("3.0") for v in versions) else "3.1.0"
    for service, doc in docs.items():
        renames = {
            f"{_REF_PREFIX}{kind}/{name}": f"{_REF_PREFIX}{kind}/{service}_{name}"
            for kind, items in (doc.get("components") or {}).items()
            if isinstance(items, dict)
            for name in items
            if (kind, name) in clashes
        }
        doc = _rewrite_refs(doc, renames) if renames else doc
        for kind, items in (doc.get("components") or {}).items():
            if kind == "securitySchemes" or not isinstance(items, dict):
                continue
            bucket = components.setdefault(kind, {})
            for name, value in items.items():
                bucket[f"{service}_{name}" if (kind, name) in clashes else name] = value
        for template, item in (doc.get("paths") or {}).items():
            if not isinstance(item, dict) or template.startswith(("/internal", "/healthz", "/readyz")):
                continue
            merged = paths.setdefault(template, {})
            for key, op in item.items():
                if key not in HTTP_METHODS:
                    merged.setdefault(key, op)
                    continue
                if not isinstance(op, dict) or op.get("x-tt-auth", "token") not in ("public", "token"):
                    continue
                if key in merged:
                    continue  # the route table lets the first service win too
                merged[key] = {**op, "security": _security(op)}
        for tag in doc.get("tags") or []:
            if isinstance(tag, dict) and "name" in tag:
                tags.setdefault(tag["name"], tag)
    return {
        "openapi": openapi_version,
        "info": {
            "title": "TimeTracker API",
            "version": version,
            "description": "Every `/api/v1` operation of the platform. Authenticate with an API token "
            "(`Authorization: Bearer tt_…` or `X-API-Key`); `x-tt-scopes` lists the scopes that open each "
            "operation (any one of them suffices; empty = any valid token).",
        },
        "servers": [{"url": "/"}],
        "paths": {k: v for k, v in paths.items() if any(m in v for m in HTTP_METHODS)},
        "components": components,
        "tags": list(tags.values()),
    }


DOCS_HTML = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>TimeTracker API</title>
<link rel="icon" type="image/png" href="/api/docs/favicon.png">
<link rel="stylesheet" href="/api/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/api/docs/swagger-ui-bundle.js"></script>
<script src="/api/docs/swagger-init.js"></script>
</body>
</html>
"""

DOCS_INIT_JS = """window.ui = SwaggerUIBundle({
  url: "/api/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  persistAuthorization: true,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout"
});
"""

_ASSETS = {
    "swagger-ui-bundle.js": b"application/javascript; charset=utf-8",
    "swagger-ui.css": b"text/css; charset=utf-8",
    "favicon.png": b"image/png",
}


def _load_assets() -> dict[str, tuple[bytes, bytes]]:
    """Swagger UI's dist files, as shipped by the `fastapi-offline` package."""
    root = importlib.resources.files("fastapi_offline") / "static"
    assets = {name: ((root / name).read_bytes(), ctype) for name, ctype in _ASSETS.items()}
    assets["swagger-init.js"] = (DOCS_INIT_JS.encode(), b"application/javascript; charset=utf-8")
    return assets


class OpenApiEndpoints:
    def __init__(self, registry: RouteRegistry, *, version: str) -> None:
        self.registry = registry
        self.version = version
        self._cache: tuple[int, bytes] = (-1, b"")
        self._assets = _load_assets()
        self.routes: dict[str, dict[str, Any]] = {
            "/api/openapi.json": {"GET": self.openapi},
            "/api/docs": {"GET": self.docs},
        }
        for name in self._assets:
            self.routes[f"/api/docs/{name}"] = {"GET": self._asset_handler(name)}

    def document(self) -> bytes:
        version, body = self._cache
        if version != self.registry.version:
            docs = {name: s.doc for name, s in self.registry.services.items() if s.doc is not None}
            body = orjson.dumps(merge_openapi(docs, version=self.version))
            self._cache = (self.registry.version, body)
        return body

    async def openapi(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send_body(scope, send, 200, self.document())

    async def docs(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send_body(scope, send, 200, DOCS_HTML.encode(), b"text/html; charset=utf-8")

    def _asset_handler(self, name: str):
        body, content_type = self._assets[name]
        cache = [(b"cache-control", b"public, max-age=86400")]

        async def asset(scope: Scope, receive: Receive, send: Send) -> None:
            await send_body(scope, send, 200, body, content_type, cache)

        return asset
