"""Each route's authentication mode and required scopes, published in the service's OpenAPI
(`x-tt-auth`, `x-tt-scopes`): declared once by `requires(...)`, read by the gateway."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from shared.identity import ScopeRequirement


def _scope_requirements(dependant: Dependant) -> Iterable[ScopeRequirement]:
    if isinstance(dependant.call, ScopeRequirement):
        yield dependant.call
    for sub in dependant.dependencies:
        yield from _scope_requirements(sub)


def publish_scopes(app: FastAPI, routers: list[APIRouter]) -> Callable[[], dict[str, Any]]:
    """Wrap `app.openapi` so every operation states how it is authenticated and its scopes.

    Routers are walked directly (FastAPI keeps included routers lazily), so each service hands
    `create_service_app` a flat list of feature routers, each with its full path prefix.
    """
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = build()
        for router in routers:
            for route in router.routes:
                if not isinstance(route, APIRoute):
                    raise TypeError(f"nested router under {router.prefix!r}: pass feature routers flat")
                if not route.include_in_schema:
                    continue
                reqs = list(_scope_requirements(route.dependant))
                mode = reqs[0].auth_mode if reqs else "token"
                scopes = list(dict.fromkeys(s for r in reqs for s in r.alternatives))
                for method in route.methods:
                    op = schema["paths"][route.path_format].get(method.lower())
                    if op is not None:
                        op["x-tt-auth"] = mode
                        op["x-tt-scopes"] = scopes
        return schema

    return openapi
