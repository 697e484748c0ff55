"""A tiny stand-in for the auth service, speaking the gateway contract: OpenAPI with
`x-tt-auth`/`x-tt-scopes`, `/internal/introspect`, `/internal/token-usage`, `/internal/modules`.
Tests drive it through `/_test/*` routes (not in its OpenAPI)."""

from __future__ import annotations

import hashlib
import os
import secrets

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from shared.identity import IDENTITY_HEADER, IdentityCodec

OPENAPI = {
    "openapi": "3.1.0",
    "info": {"title": "fake auth", "version": "0"},
    "paths": {
        "/api/v1/auth/login": {
            "post": {
                "operationId": "auth.login",
                "x-tt-auth": "public",
                "x-tt-scopes": [],
                "responses": {"200": {"description": "ok"}},
            }
        },
        "/api/v1/users/me": {
            "get": {
                "operationId": "auth.get_me",
                "x-tt-auth": "token",
                "x-tt-scopes": ["read:users"],
                "responses": {
                    "200": {
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Me"}}},
                        "description": "ok",
                    }
                },
            }
        },
        "/admin/api-tokens": {
            "get": {
                "operationId": "auth.list_tokens",
                "x-tt-auth": "token",
                "x-tt-scopes": ["admin:all"],
                "responses": {"200": {"description": "ok"}},
            }
        },
    },
    "components": {
        "schemas": {"Me": {"type": "object", "properties": {"user": {"type": "object"}}}, "Shared": {"type": "string"}}
    },
}


class State:
    def __init__(self) -> None:
        self.tokens: dict[str, dict] = {}  # hash → introspection body
        self.usage: list[dict] = []
        self.introspections = 0
        self.modules: list[str] | None = ["auth", "main", "projects", "timer", "tasks", "clients"]
        self.ready = True


def create_app() -> Starlette:
    codec = IdentityCodec(os.environ["TT_IDENTITY_SECRET"])
    state = State()

    def caller(request: Request):
        value = request.headers.get(IDENTITY_HEADER)
        return codec.verify(value) if value else None

    def internal_only(request: Request) -> JSONResponse | None:
        try:
            identity = caller(request)
        except Exception:  # noqa: BLE001
            identity = None
        if identity is None or identity.service != "gateway":
            return JSONResponse({"error": "internal"}, status_code=401)
        return None

    async def introspect(request: Request) -> JSONResponse:
        if (denied := internal_only(request)) is not None:
            return denied
        state.introspections += 1
        digest = (await request.json())["token_hash"]
        body = state.tokens.get(digest)
        return JSONResponse(body if body is not None else {"found": False})

    async def token_usage(request: Request) -> JSONResponse:
        if (denied := internal_only(request)) is not None:
            return denied
        state.usage.extend((await request.json())["usage"])
        return JSONResponse({"ok": True})

    async def modules(request: Request) -> JSONResponse:
        if (denied := internal_only(request)) is not None:
            return denied
        if state.modules is None:
            return JSONResponse({"error": "down"}, status_code=500)
        return JSONResponse({"enabled_modules": state.modules})

    async def login(request: Request) -> JSONResponse:
        identity = caller(request)
        return JSONResponse({"token": "tt_" + secrets.token_urlsafe(24)[:32], "seen_ip": identity.client_ip})

    async def me(request: Request) -> JSONResponse:
        identity = caller(request)
        if identity is None or identity.user_id is None:
            return JSONResponse({"error": "no identity"}, status_code=401)
        return JSONResponse(
            {
                "user": {"id": identity.user_id, "username": identity.username},
                "scopes": list(identity.scopes),
                "token_id": identity.token_id,
            }
        )

    async def list_tokens(request: Request) -> JSONResponse:
        return JSONResponse({"tokens": []})

    async def put_token(request: Request) -> JSONResponse:
        """Body: {"token": plain, "token_fields": {...}, "user": {...} | null}."""
        body = await request.json()
        digest = hashlib.sha256(body["token"].encode()).hexdigest()
        if body.get("delete"):
            state.tokens.pop(digest, None)
        else:
            state.tokens[digest] = {"found": True, "token": body["token_fields"], "user": body.get("user")}
        return JSONResponse({"ok": True})

    async def test_state(request: Request) -> JSONResponse:
        return JSONResponse({"usage": state.usage, "introspections": state.introspections})

    async def set_modules(request: Request) -> JSONResponse:
        state.modules = (await request.json())["modules"]
        return JSONResponse({"ok": True})

    async def openapi(request: Request) -> JSONResponse:
        return JSONResponse(OPENAPI)

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ready"}, status_code=200 if state.ready else 503)

    return Starlette(
        routes=[
            Route("/openapi.json", openapi),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/internal/introspect", introspect, methods=["POST"]),
            Route("/internal/token-usage", token_usage, methods=["POST"]),
            Route("/internal/modules", modules),
            Route("/api/v1/auth/login", login, methods=["POST"]),
            Route("/api/v1/users/me", me),
            Route("/admin/api-tokens", list_tokens),
            Route("/_test/tokens", put_token, methods=["PUT"]),
            Route("/_test/state", test_state),
            Route("/_test/modules", set_modules, methods=["PUT"]),
        ]
    )
