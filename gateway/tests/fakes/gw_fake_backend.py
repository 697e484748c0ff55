"""A tiny backing service: publishes scoped operations in its OpenAPI and echoes what the
gateway forwarded (method, path, query, body, headers, verified identity). Like every real
service it refuses requests without a valid gateway identity."""

from __future__ import annotations

import asyncio
import os

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from shared.identity import IDENTITY_HEADER, IdentityCodec


def _op(name: str, scopes: list[str], auth: str = "token") -> dict:
    return {
        "operationId": f"tracking.{name}",
        "x-tt-auth": auth,
        "x-tt-scopes": scopes,
        "responses": {
            "200": {
                "description": "ok",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Shared"}}},
            }
        },
    }


OPENAPI = {
    "openapi": "3.1.0",
    "info": {"title": "fake tracking", "version": "0"},
    "paths": {
        "/api/v1/projects": {
            "get": _op("list_projects", ["read:projects"]),
            "post": _op("create_project", ["write:projects"]),
        },
        "/api/v1/projects/archived": {"get": _op("list_archived", ["read:projects"])},
        "/api/v1/projects/{project_id}": {
            "get": _op("get_project", ["read:projects"]),
            "put": _op("update_project", ["write:projects"]),
            "patch": _op("patch_project", ["write:projects"]),
            "delete": _op("delete_project", ["write:projects"]),
        },
        "/api/v1/timer/status": {"get": _op("timer_status", [])},
        "/api/v1/inventory/items": {"get": _op("list_items", ["read:inventory", "read:projects"])},
        "/api/v1/slow": {"get": _op("slow", [])},
        "/api/v1/stream": {"get": _op("stream", [])},
        "/api/v1/webhooks/github": {"post": _op("github_hook", [], auth="public")},
        "/api/v1/secret": {"get": _op("secret", [], auth="internal")},
    },
    "components": {"schemas": {"Shared": {"type": "integer"}}},
}


def create_app() -> Starlette:
    codec = IdentityCodec(os.environ["TT_IDENTITY_SECRET"])

    async def echo(request: Request) -> Response:
        value = request.headers.get(IDENTITY_HEADER)
        try:
            identity = codec.verify(value) if value else None
        except Exception:  # noqa: BLE001
            identity = None
        if identity is None:
            return JSONResponse({"error": "no identity"}, status_code=401)
        path = request.url.path
        if path == "/api/v1/slow":
            await asyncio.sleep(float(request.query_params.get("seconds", "2")))
        if path == "/api/v1/stream":

            async def chunks():
                for i in range(50):
                    yield (f"{i:04d}" * 256).encode()

            return StreamingResponse(chunks(), media_type="text/plain")
        body = await request.body()
        return JSONResponse(
            {
                "method": request.method,
                "path": path,
                "query": request.url.query,
                "body": body.decode(),
                "headers": {k: v for k, v in request.headers.items() if k != IDENTITY_HEADER},
                "identity": {
                    "user_id": identity.user_id,
                    "username": identity.username,
                    "scopes": list(identity.scopes),
                    "token_id": identity.token_id,
                    "client_ip": identity.client_ip,
                    "is_admin": identity.is_admin,
                    "role": identity.role,
                    "client_ids": list(identity.client_ids),
                    "modules_off": list(identity.modules_off),
                },
            },
            headers={"x-request-id": "from-service", "access-control-allow-origin": "https://evil.example"},
        )

    async def openapi(request: Request) -> JSONResponse:
        return JSONResponse(OPENAPI)

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    return Starlette(
        routes=[
            Route("/openapi.json", openapi),
            Route("/healthz", healthz),
            Route("/readyz", healthz),
            Route("/api/v1/{rest:path}", echo, methods=methods),
        ]
    )
